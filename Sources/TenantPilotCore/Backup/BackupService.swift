import Foundation

/// Sync, then backup (docs/architecture.md, "How a run flows"): lists each policy type through Graph, records the
/// listing in `policies`, captures every policy's full payload, and stores them as one
/// content-addressed backup set that becomes visible only when complete.
public struct BackupService: BackupPerforming {
    public let store: Store
    /// Makes the Graph client for a tenant (the real one, or a test double).
    public let makeClient: @Sendable (Tenant) throws(TenantPilotError) -> any GraphClient
    /// Policy types listed and captured at once (requests are bounded by the client too).
    public let typeConcurrency: Int
    /// Policy types captured at a time unless told otherwise: enough to keep the client's
    /// requests in flight, few enough that only a few types' payloads are in memory at once.
    public static let defaultTypeConcurrency = 4

    public init(
        store: Store, typeConcurrency: Int = BackupService.defaultTypeConcurrency,
        makeClient: @escaping @Sendable (Tenant) throws(TenantPilotError) -> any GraphClient
    ) {
        self.store = store
        self.typeConcurrency = max(1, typeConcurrency)
        self.makeClient = makeClient
    }

    /// The production service: the URLSession client, secrets read from the environment.
    public init(store: Store, dependencies: Dependencies, options: GraphClientOptions = GraphClientOptions()) {
        self.init(store: store) { (tenant: Tenant) throws(TenantPilotError) -> any GraphClient in
            URLSessionGraphClient(
                connection: try GraphConnection(tenant: tenant), dependencies: dependencies, options: options)
        }
    }

    /// What capturing one type produced.
    struct TypeCapture: Sendable {
        let type: PolicyType
        let listed: [JSONValue]
        let items: [NewBackupItem]
        let failedItems: Int
        let error: TenantPilotError?
    }

    /// Captures, then completes the set and writes `backup.created` in one transaction: a
    /// backup made outside a run.
    public func backup(
        tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, actor: String, at instant: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async -> BackupOutcome {
        var outcome = await capture(
            tenant: tenant, types: types, scheduleId: scheduleId, runId: runId, actor: actor, at: instant,
            progress: progress)
        guard let completion = outcome.completion else { return outcome }
        do {
            try await store.write("complete backup set \(completion.setId)") { tx in try completion.record(in: tx) }
            outcome.completion = nil
        } catch {
            outcome.fatal = error
            outcome.backupSetId = nil
            outcome.completion = nil
        }
        return outcome
    }

    /// Lists each type, records the listing, and captures every policy into a set left
    /// `building`, to be completed with `outcome.completion`. A set that holds nothing usable
    /// (the tenant could not be reached, every type failed) is deleted here.
    public func capture(
        tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, actor: String, at instant: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async -> BackupOutcome {
        let client: any GraphClient
        do {
            client = try makeClient(tenant)
        } catch {
            return BackupOutcome(fatal: error)
        }
        let sync = PolicySyncService(store: store)
        let sets = BackupSetStore(store: store)
        let setId: Int64
        do {
            setId = try await sets.beginSet(tenantId: tenant.rowID, scheduleId: scheduleId, runId: runId, at: instant)
        } catch {
            return BackupOutcome(fatal: error)
        }

        var outcome = BackupOutcome()
        var failures: [String: TenantPilotError] = [:]
        var typesDone = 0
        // The progress line also says when requests wait for Graph's request budget.
        let latest = Locked(BackupProgress(typesDone: 0, typesTotal: types.count, policiesDone: 0))
        if let progress {
            client.observeBudgetWaits { wait in
                progress(
                    latest.withLock { current in
                        current.waitingForBudget = wait
                        return current
                    })
            }
        }
        let concurrency = typeConcurrency
        await withTaskGroup(of: TypeCapture.self) { group in
            var pending = types[...]
            func startNext() {
                guard let type = pending.popFirst() else { return }
                group.addTask { await Self.capture(type, client: client) }
            }
            for _ in 0..<concurrency { startNext() }
            while let capture = await group.next() {
                typesDone += 1
                if let error = capture.error {
                    failures[capture.type.key] = error
                    if Self.isFatal(error) {
                        outcome.fatal = outcome.fatal ?? error
                        group.cancelAll()
                    }
                } else {
                    do throws(TenantPilotError) {
                        _ = try await sync.record(
                            tenantId: tenant.rowID, type: capture.type, listed: capture.listed, at: instant)
                        try await sets.addItems(setId: setId, items: capture.items)
                        outcome.policies += capture.items.count + capture.failedItems
                        outcome.items += capture.items.count
                        outcome.failedItems += capture.failedItems
                    } catch {
                        // The store refused a write (a full disk, say): nothing more can be
                        // recorded, so the run fails rather than ending partial.
                        failures[capture.type.key] = error
                        outcome.fatal = outcome.fatal ?? error
                        group.cancelAll()
                    }
                }
                let snapshot = latest.withLock { current in
                    current.typesDone = typesDone
                    current.policiesDone = outcome.items
                    return current
                }
                progress?(snapshot)
                if outcome.fatal == nil { startNext() }
            }
        }
        outcome.failedTypes = types.compactMap { type in failures[type.key].map { (key: type.key, error: $0) } }

        let capturedAnything = outcome.items > 0 || outcome.failedTypes.count < types.count
        if outcome.fatal != nil || !capturedAnything {
            _ = try? await store.write { tx in try BackupSetDeletion.delete(tx, setIds: [setId]) }
            outcome.backupSetId = nil
            return outcome
        }
        let complete = outcome.failedTypes.isEmpty && outcome.failedItems == 0
        outcome.backupSetId = setId
        outcome.completion = BackupCompletion(
            setId: setId, outcome: complete ? .complete : .partial, instant: instant, tenantId: tenant.id,
            scheduleId: scheduleId, runId: runId, actor: actor, items: outcome.items, failedItems: outcome.failedItems,
            types: types.map(\.key))
        return outcome
    }

    /// Lists and captures one type. The listing is what sync records; the captured payloads
    /// are what the set stores.
    static func capture(_ type: PolicyType, client: any GraphClient) async -> TypeCapture {
        let listed: [JSONValue]
        do {
            listed = try await client.listPolicies(of: type)
        } catch {
            // A collection Graph does not have (404) is an answer the run cannot use.
            let error =
                error.code == .graphNotFound ? TenantPilotError.failed(error.message, code: .graphBadResponse) : error
            return TypeCapture(type: type, listed: [], items: [], failedItems: 0, error: error)
        }
        let captured = await client.capturePolicies(of: type, listed: listed)
        var items: [NewBackupItem] = []
        var failed = 0
        var firstError: TenantPilotError?
        for policy in listed {
            guard let id = PolicyIdentity.graphId(of: policy) else {
                failed += 1
                continue
            }
            switch captured[id] {
            case .success(let payload)?:
                items.append(
                    NewBackupItem(
                        typeKey: type.key, graphId: id, displayName: PolicyIdentity.displayName(of: payload),
                        payload: payload))
            case .failure(let error)? where error.code == .graphNotFound:
                // Deleted between the listing and its capture: it is gone, not failed; the
                // next sync records it as gone.
                continue
            case .failure(let error)?:
                failed += 1
                firstError = firstError ?? error
            case nil:
                failed += 1
            }
        }
        // A type none of whose policies could be captured failed as a whole.
        if !listed.isEmpty, items.isEmpty, let firstError {
            return TypeCapture(type: type, listed: listed, items: [], failedItems: 0, error: firstError)
        }
        if let firstError, isFatal(firstError) {
            return TypeCapture(type: type, listed: listed, items: [], failedItems: 0, error: firstError)
        }
        return TypeCapture(type: type, listed: listed, items: items, failedItems: failed, error: nil)
    }

    /// Failures that mean the tenant cannot be reached at all.
    static func isFatal(_ error: TenantPilotError) -> Bool {
        error.code == .credentialsUnavailable || error.code == .graphAuthFailed
    }
}
