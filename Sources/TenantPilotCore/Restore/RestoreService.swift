import Foundation

/// `restore SET_ID`: the plan (nothing written anywhere), or `--apply` — under the target's
/// tenant lock, recorded as a run with its audit entries, written per the registry's recipes.
public struct RestoreService: Sendable {
    public let store: Store
    public let registry: PolicyTypeRegistry
    public let clock: Clock
    /// Makes the Graph client for a tenant (the real one, or a test double).
    public let makeClient: @Sendable (Tenant) throws(TenantPilotError) -> any GraphWriting
    /// Told when a restore's run starts and ends, and of runs found abandoned (the hooks).
    public let observer: (any RunObserving)?

    public init(
        store: Store, registry: PolicyTypeRegistry, clock: Clock, observer: (any RunObserving)? = nil,
        makeClient: @escaping @Sendable (Tenant) throws(TenantPilotError) -> any GraphWriting
    ) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.observer = observer
        self.makeClient = makeClient
    }

    /// The production service: the URLSession client, secrets read from the environment.
    public init(
        store: Store, registry: PolicyTypeRegistry, dependencies: Dependencies, observer: (any RunObserving)? = nil,
        options: GraphClientOptions = GraphClientOptions()
    ) {
        self.init(store: store, registry: registry, clock: dependencies.clock, observer: observer) {
            (tenant: Tenant) throws(TenantPilotError) -> any GraphWriting in
            URLSessionGraphClient(
                connection: try GraphConnection(tenant: tenant), dependencies: dependencies, options: options)
        }
    }

    /// Checks a request against the store and registry (bad input: exit 2, nothing written).
    public func scope(_ request: RestoreRequest) async throws(TenantPilotError) -> RestoreScope {
        try await RestoreScope.resolve(request, store: store, registry: registry)
    }

    /// The plan: reads the target (and, into another tenant, the source's group names); writes nothing.
    public func plan(_ scope: RestoreScope) async throws(TenantPilotError) -> RestorePlan {
        try await plan(scope, target: try makeClient(scope.target))
    }

    func plan(_ scope: RestoreScope, target: any GraphWriting) async throws(TenantPilotError) -> RestorePlan {
        var source: (any GraphWriting)?
        if scope.crossTenant, let tenant = scope.source { source = try? makeClient(tenant) }
        return try await RestorePlanner(registry: registry).plan(scope, target: target, source: source)
    }

    /// `--apply`: takes the target's tenant lock (held: `CONCURRENT_RUN`, exit 4), recovers runs
    /// left by dead processes, records a `restore` run, plans against the target as it is now,
    /// carries the plan out and ends the run `success`, `partial` (some writes failed) or
    /// `failed` (none could be done, or the target could not be read).
    public func apply(_ scope: RestoreScope, actor: String) async throws(TenantPilotError) -> (
        plan: RestorePlan?, outcome: RestoreOutcome
    ) {
        let applied = try await applyLocked(scope, actor: actor)
        // The run's row is final and the tenant lock released: its hooks may fire.
        await notify(ended: applied.outcome.run, target: scope.target)
        return applied
    }

    private func notify(ended run: BackupRun, target: Tenant) async {
        await observer?.runEnded(RunDocument(run, tenantName: target.name, scheduleName: nil), tenantId: target.rowID)
    }

    private func applyLocked(_ scope: RestoreScope, actor: String) async throws(TenantPilotError) -> (
        plan: RestorePlan?, outcome: RestoreOutcome
    ) {
        guard let lock = try await TenantWriteLock.exclusive(store: store, tenantId: scope.target.rowID) else {
            throw TenantPilotError(
                .notRun, code: .concurrentRun,
                "tenant \(scope.target.name) is being backed up or restored right now; nothing was written — try again when that has ended"
            )
        }
        defer { lock.release() }
        try await recoverAbandonedRuns(actor: actor)

        let run = try await RestoreRunRecord.begin(store: store, scope: scope, actor: actor, at: clock.now())
        await observer?.runStarted(
            RunDocument(run, tenantName: scope.target.name, scheduleName: nil), tenantId: scope.target.rowID)
        let plan: RestorePlan
        let client: any GraphWriting
        do {
            client = try makeClient(scope.target)
            plan = try await self.plan(scope, target: client)
        } catch {
            let ended = try await RestoreRunRecord.finish(
                store: store, run: run, status: .failed, code: error.code,
                message: "the target could not be read: \(error.message)",
                counts: RestoreCounts(), plan: nil, actor: actor, at: clock.now())
            return (nil, RestoreOutcome(results: [], counts: RestoreCounts(), run: ended))
        }

        let applier = RestoreApplier(store: store, clock: clock, actor: actor)
        let (results, counts) = await applier.apply(plan, client: client, run: run)
        let failures = zip(plan.actions, results).compactMap { action, result in result.error.map { (action, $0) } }
        let status: BackupRun.Status
        var code: ErrorCode?
        var message: String?
        if let (action, first) = failures.first {
            status = failures.count == counts.attempted ? .failed : .partial
            code = first.code
            message =
                "\(failures.count) of \(counts.attempted) writing actions failed; first: \(action.type.key) \"\(action.displayName)\": \(first.message)"
        } else {
            status = .success
        }
        let ended = try await RestoreRunRecord.finish(
            store: store, run: run, status: status, code: code, message: message, counts: counts, plan: plan,
            actor: actor, at: clock.now())
        return (plan, RestoreOutcome(results: results, counts: counts, run: ended))
    }

    /// A restore killed half-way is recovered like any run (`failed` ABANDONED) — by dispatch,
    /// and here, so that a second `--apply` starts from a clean history.
    func recoverAbandonedRuns(actor: String) async throws(TenantPilotError) {
        let makeClient = self.makeClient
        let backup = BackupService(store: store) { (tenant: Tenant) throws(TenantPilotError) -> any GraphClient in
            try makeClient(tenant)
        }
        let executor = RunExecutor(store: store, registry: registry, clock: clock, backup: backup)
        for recovered in try await Dispatcher(executor: executor).recoverAbandoned(at: clock.now(), actor: actor) {
            await observer?.runEnded(recovered.document, tenantId: recovered.tenantId)
        }
    }
}
