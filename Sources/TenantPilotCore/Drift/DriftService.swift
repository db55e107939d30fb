import Foundation

/// `drift`: captures a live tenant's policies as a backup would, compares them with a backup
/// set property by property, and stores nothing (no set, no run).
public struct DriftService: Sendable {
    public let store: Store
    public let registry: PolicyTypeRegistry
    public let makeClient: @Sendable (Tenant) throws(TenantPilotError) -> any GraphClient
    /// Told about each check that found drift (the `drift` hook event); nil: nobody.
    public let observer: (any DriftObserving)?
    public let typeConcurrency: Int

    public init(
        store: Store, registry: PolicyTypeRegistry, observer: (any DriftObserving)? = nil,
        typeConcurrency: Int = BackupService.defaultTypeConcurrency,
        makeClient: @escaping @Sendable (Tenant) throws(TenantPilotError) -> any GraphClient
    ) {
        self.store = store
        self.registry = registry
        self.observer = observer
        self.typeConcurrency = max(1, typeConcurrency)
        self.makeClient = makeClient
    }

    /// The production service: the URLSession client, secrets read from the environment.
    public init(
        store: Store, registry: PolicyTypeRegistry, dependencies: Dependencies, observer: (any DriftObserving)? = nil,
        options: GraphClientOptions = GraphClientOptions()
    ) {
        self.init(store: store, registry: registry, observer: observer) {
            (tenant: Tenant) throws(TenantPilotError) -> any GraphClient in
            URLSessionGraphClient(
                connection: try GraphConnection(tenant: tenant), dependencies: dependencies, options: options)
        }
    }

    /// What to check.
    public enum Subject: Sendable, Equatable {
        /// A tenant, with the types of the set compared against.
        case tenant(String)
        /// A schedule (`TENANT/NAME` or id), with its types.
        case schedule(ScheduleReference)
        /// Every enabled schedule.
        case all
    }

    /// One check to run: a tenant, the set, the types.
    struct Target: Sendable {
        let tenant: Tenant
        let scheduleName: String?
        var scheduleId: Int64? = nil
        let setId: Int64?
        let types: [PolicyType]
        /// Why it cannot be checked (no usable set yet).
        let problem: TenantPilotError?
    }

    /// Resolves what to check against the store: an unknown tenant, schedule or set is bad
    /// input (exit 2). Graph is not asked anything yet.
    func targets(_ subject: Subject, against: Int64?) async throws(TenantPilotError) -> [Target] {
        let sets = BackupSetStore(store: store)
        var forced: BackupSetDetail?
        if let against {
            guard let detail = try await sets.set(id: against) else {
                throw .notFound("--against: no backup set with id \(against); see `tenantpilot backups list`")
            }
            forced = detail
        }
        func setTypes(_ detail: BackupSetDetail) -> [PolicyType] {
            let keys = Set(detail.items.map(\.typeKey))
            return registry.types.filter { keys.contains($0.key) }
        }
        func check(forced detail: BackupSetDetail?, tenant: Tenant) throws(TenantPilotError) {
            if let detail, detail.summary.tenantId != tenant.rowID {
                throw .invalid(
                    "--against: backup set \(detail.summary.id) is of tenant \(detail.summary.tenantName), not \(tenant.name)"
                )
            }
        }
        switch subject {
        case .tenant(let name):
            let tenant = try await TenantService(store: store).find(named: name)
            try check(forced: forced, tenant: tenant)
            var detail = forced
            if detail == nil, let latest = try await sets.listSets(tenantId: tenant.rowID).first {
                detail = try await sets.set(id: latest.id)
            }
            guard let detail else {
                return [
                    Target(tenant: tenant, scheduleName: nil, setId: nil, types: [], problem: Self.noSet(tenant.name))
                ]
            }
            return [
                Target(
                    tenant: tenant, scheduleName: nil, setId: detail.summary.id, types: setTypes(detail), problem: nil)
            ]
        case .schedule(let reference):
            let entry = try await ScheduleService(store: store).find(reference)
            try check(forced: forced, tenant: entry.tenant)
            return [try await target(entry.schedule, tenant: entry.tenant, forced: forced, sets: sets)]
        case .all:
            if forced != nil {
                throw .invalid(
                    "--against cannot be combined with --all: each schedule is compared with its own latest set")
            }
            let entries = try await ScheduleService(store: store).list(tenantName: nil).filter {
                $0.schedule.enabled && !$0.schedule.isRemoved
            }
            var result: [Target] = []
            for entry in entries {
                result.append(try await target(entry.schedule, tenant: entry.tenant, forced: nil, sets: sets))
            }
            return result
        }
    }

    private func target(_ schedule: BackupSchedule, tenant: Tenant, forced: BackupSetDetail?, sets: BackupSetStore)
        async throws(TenantPilotError) -> Target
    {
        let name = "\(tenant.name)/\(schedule.name)"
        let types = schedule.policyTypes.compactMap { registry.type(forKey: $0) }
        var setId = forced?.summary.id
        if setId == nil { setId = try await sets.listSets(scheduleId: schedule.rowID).first?.id }
        guard let setId else {
            return Target(
                tenant: tenant, scheduleName: name, scheduleId: schedule.rowID, setId: nil, types: types,
                problem: Self.noSet(name))
        }
        return Target(
            tenant: tenant, scheduleName: name, scheduleId: schedule.rowID, setId: setId, types: types, problem: nil)
    }

    private static func noSet(_ name: String) -> TenantPilotError {
        .failed("\(name) has no usable backup set to compare with yet", code: .noBackupSet)
    }

    /// Checks every target (bad input throws before Graph is asked anything).
    public func check(_ subject: Subject, against: Int64? = nil) async throws(TenantPilotError) -> DriftReport {
        let targets = try await targets(subject, against: against)
        var checks: [DriftReport.Check] = []
        for target in targets {
            let check = await run(target)
            if check.drifted, let observer {
                await observer.drifted(check, tenantId: target.tenant.rowID, scheduleId: target.scheduleId)
            }
            checks.append(check)
        }
        return DriftReport(checks: checks)
    }

    func run(_ target: Target) async -> DriftReport.Check {
        func failed(_ error: TenantPilotError) -> DriftReport.Check {
            DriftReport.Check(
                tenant: target.tenant.name, schedule: target.scheduleName, against: target.setId, added: [],
                removed: [], changed: [],
                error: error)
        }
        if let problem = target.problem { return failed(problem) }
        guard let setId = target.setId else { return failed(Self.noSet(target.tenant.name)) }
        let sets = BackupSetStore(store: store)
        let client: any GraphClient
        let detail: BackupSetDetail
        do throws(TenantPilotError) {
            client = try makeClient(target.tenant)
            guard let found = try await sets.set(id: setId) else {
                return failed(.failed("backup set \(setId) vanished", code: .notFound))
            }
            detail = found
        } catch {
            return failed(error)
        }

        // Capture the live tenant, a few types at a time, as a backup reads it.
        var live: [String: BackupService.TypeCapture] = [:]
        let concurrency = typeConcurrency
        await withTaskGroup(of: BackupService.TypeCapture.self) { group in
            var pending = target.types[...]
            func startNext() {
                guard let type = pending.popFirst() else { return }
                group.addTask { await BackupService.capture(type, client: client) }
            }
            for _ in 0..<concurrency { startNext() }
            while let capture = await group.next() {
                live[capture.type.key] = capture
                startNext()
            }
        }
        if let failure = target.types.compactMap({ live[$0.key]?.error.map { (key: $0, error: $0) } }).first {
            return failed(
                .failed("could not read the tenant's policies: \(failure.error.message)", code: failure.error.code))
        }
        if let partial = target.types.first(where: { (live[$0.key]?.failedItems ?? 0) > 0 }) {
            return failed(
                .failed(
                    "some \(partial.label.lowercased()) policies could not be read whole",
                    code: .graphBadResponse))
        }

        var added: [DriftReport.Policy] = []
        var removed: [DriftReport.Policy] = []
        var changed: [DriftReport.Changed] = []
        let wanted = Set(target.types.map(\.key))
        var backed: [String: BackupItemRecord] = [:]
        for item in detail.items where wanted.contains(item.typeKey) {
            backed[item.typeKey + "\u{1F}" + item.graphId] = item
        }
        for type in target.types {
            let comparison = PayloadComparison(type: type)
            for item in live[type.key]?.items ?? [] {
                guard let old = backed.removeValue(forKey: type.key + "\u{1F}" + item.graphId) else {
                    added.append(
                        DriftReport.Policy(type: type.key, graphId: item.graphId, displayName: item.displayName))
                    continue
                }
                let payload: JSONValue?
                do {
                    payload = try await sets.payload(sha256: old.sha256)
                } catch {
                    return failed(error)
                }
                let changes = comparison.changes(from: payload ?? .null, to: item.payload)
                if !changes.isEmpty {
                    changed.append(
                        DriftReport.Changed(
                            type: type.key, graphId: item.graphId, displayName: item.displayName, changes: changes))
                }
            }
        }
        for item in backed.values {
            removed.append(DriftReport.Policy(type: item.typeKey, graphId: item.graphId, displayName: item.displayName))
        }
        let order: (DriftReport.Policy, DriftReport.Policy) -> Bool = {
            ($0.type, $0.displayName, $0.graphId) < ($1.type, $1.displayName, $1.graphId)
        }
        return DriftReport.Check(
            tenant: target.tenant.name, schedule: target.scheduleName, against: setId, added: added.sorted(by: order),
            removed: removed.sorted(by: order),
            changed: changed.sorted { ($0.type, $0.displayName, $0.graphId) < ($1.type, $1.displayName, $1.graphId) },
            error: nil)
    }
}
