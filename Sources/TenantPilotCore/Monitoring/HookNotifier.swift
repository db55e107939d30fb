import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fires the hooks of the events of one process: every run that starts or ends, every abandoned
/// run recovered, every drift found. Each event is delivered in the background of the command,
/// to every hook whose events and scope match, all at once — so a hook that hangs costs the
/// next schedule's run nothing — and in order per run (a run's `start` before its end). A
/// delivery that fails after its attempts is written to stderr (`report`) and to the audit log
/// (`hook.failed`); it never changes the run. `finish()` waits for what is still being
/// delivered before the command ends.
public actor HookNotifier: RunObserving, DriftObserving {
    let store: Store
    let delivery: HookDelivery
    let actor: String
    let clock: Clock
    /// Where a failed delivery is told (stderr, one line).
    let report: @Sendable (String) -> Void

    private var hooks: Task<[Hook], Never>?
    private var pending: [Task<Void, Never>] = []
    /// The last delivery task of each run, so that its end waits for its start.
    private var lastOfRun: [Int64: Task<Void, Never>] = [:]

    public init(
        store: Store, dependencies: Dependencies, actor: String, report: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.delivery = HookDelivery(
            transport: GraphTransport(configuration: Self.sessionConfiguration()),
            environment: dependencies.environment, sleep: dependencies.sleep)
        self.actor = actor
        self.clock = dependencies.clock
        self.report = report
    }

    static func sessionConfiguration() -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        return configuration
    }

    // MARK: - Events

    public func runStarted(_ run: RunDocument, tenantId: Int64) {
        enqueue(.run(run, event: .start, tenantId: tenantId), event: .start, runId: run.id)
    }

    public func runEnded(_ run: RunDocument, tenantId: Int64) {
        guard let event = Hook.Event.ended(run) else { return }
        enqueue(.run(run, event: event, tenantId: tenantId), event: event, runId: run.id)
    }

    public func drifted(_ check: DriftReport.Check, tenantId: Int64, scheduleId: Int64?) {
        enqueue(.drift(check, tenantId: tenantId, scheduleId: scheduleId), event: .drift, runId: nil)
    }

    /// Waits for every delivery still going, each bounded by its attempts' timeouts; past
    /// `bound` (a safety net) what is left is given up and said.
    public func finish(bound: Duration = .seconds(3 * Hook.maximumTimeoutSeconds + 10)) async {
        let tasks = pending
        pending = []
        guard !tasks.isEmpty else { return }
        let all = Task { for task in tasks { await task.value } }
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await all.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: bound)
                return false
            }
            let first = await group.next() ?? true
            group.cancelAll()
            return first
        }
        if !finished {
            for task in tasks { task.cancel() }
            report("hooks: deliveries still going after \(bound.components.seconds) s were given up")
        }
    }

    // MARK: - Delivering

    private func enqueue(_ message: HookMessage, event: Hook.Event, runId: Int64?) {
        let before = runId.flatMap { lastOfRun[$0] }
        let task = Task { [self] in
            await before?.value
            let matching = await loadedHooks().filter { hook in
                hook.fires(on: event, tenantId: message.tenantId ?? 0, scheduleId: message.scheduleId)
            }
            await withTaskGroup(of: Void.self) { group in
                for hook in matching {
                    group.addTask { await self.deliver(message, to: hook) }
                }
            }
        }
        if let runId { lastOfRun[runId] = task }
        pending.append(task)
    }

    /// The store's hooks, read once per process (outside every write transaction).
    private func loadedHooks() async -> [Hook] {
        if let hooks { return await hooks.value }
        let store = self.store
        let report = self.report
        let loading = Task { () -> [Hook] in
            do throws(TenantPilotError) {
                return try await store.read { tx in try tx.hooks.all() }
            } catch {
                report("hooks: cannot read the hooks: \(error.message)")
                return []
            }
        }
        hooks = loading
        return await loading.value
    }

    private func deliver(_ message: HookMessage, to hook: Hook) async {
        _ = await deliverNow(message, to: hook)
    }

    /// Delivers `message` to `hook` and waits for it; a failure is reported and audited.
    func deliverNow(_ message: HookMessage, to hook: Hook) async -> HookDelivery.Outcome {
        let outcome = await delivery.deliver(message, to: hook)
        if let error = outcome.error { await recordFailure(of: hook, message: message, error: error) }
        return outcome
    }

    /// The stderr line and the `hook.failed` entry of a delivery that failed.
    func recordFailure(of hook: Hook, message: HookMessage, error: String) async {
        let runText = message.run.map { " of run \($0.id)" } ?? ""
        report(
            RunProblemLine.line(
                subject: "hook \(hook.rowID)", name: "\(hook.kind.rawValue) \(hook.shownTarget)", status: "failed",
                code: ErrorCode.hookFailed.rawValue, message: "event \(message.event)\(runText): \(error)"))
        let metadata: [String: JSONValue] = [
            "hook_id": .int(hook.rowID), "kind": .string(hook.kind.rawValue), "target": .string(hook.shownTarget),
            "event": .string(message.event), "run_id": message.run.map { .int($0.id) } ?? .null,
            "error": .string(error),
        ]
        let (actor, now, tenantId) = (self.actor, clock.now(), message.tenantId)
        do {
            try await store.write { tx in
                try tx.audit.record(
                    at: now, actor: actor, tenantId: tenantId, action: .hookFailed, resource: .hook,
                    resourceId: String(hook.rowID), status: "failed", metadata: metadata)
            }
        } catch {
            report("hooks: cannot record the failure of hook \(hook.rowID): \(error.message)")
        }
    }
}
