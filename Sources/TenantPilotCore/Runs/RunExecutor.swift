import Foundation
import Logging

/// The run pipeline of docs/architecture.md, shared by scheduled, manual and retry runs: lock, type check,
/// sync and capture, status, then one transaction that completes the set, applies retention,
/// and writes the run's end, the schedule's last run, the audit entries and the notification.
public struct RunExecutor: Sendable {
    public let store: Store
    public let registry: PolicyTypeRegistry
    public let clock: Clock
    public let backup: any BackupPerforming
    /// Diagnostics (`--log-level`); never a secret.
    public let logger: Logger
    /// How long the Graph part of one run may take (`--run-timeout`).
    public let deadline: RunDeadline
    /// Told when each run starts and ends (the hooks); nil: nobody.
    public let observer: (any RunObserving)?

    public init(
        store: Store, registry: PolicyTypeRegistry, clock: Clock, backup: any BackupPerforming,
        deadline: RunDeadline = .standard, logger: Logger = .disabled, observer: (any RunObserving)? = nil
    ) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.backup = backup
        self.deadline = deadline
        self.logger = logger
        self.observer = observer
    }

    /// Executes a claimed (`pending`) run to its end and returns it as finished. The observer
    /// hears of its end once its row is final and its locks are released.
    public func execute(
        _ claimed: BackupRun, schedule: BackupSchedule, tenant: Tenant,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws(TenantPilotError) -> BackupRun {
        try await execute(claimed, schedule: schedule, tenant: tenant, keys: schedule.policyTypes, progress: progress)
    }

    /// Executes a claimed run of a schedule (`schedule`), or of a tenant alone (nil: `backups
    /// create`, which needs no schedule lock, has no retention and no schedule to update), backing
    /// up the policy types `keys`. The observer hears of its end once its row is final and its
    /// locks are released.
    func execute(
        _ claimed: BackupRun, schedule: BackupSchedule?, tenant: Tenant, keys: [String],
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws(TenantPilotError) -> BackupRun {
        let finished = try await executeLocked(
            claimed, schedule: schedule, tenant: tenant, keys: keys, progress: progress)
        await observer?.runEnded(
            RunDocument(finished, tenantName: tenant.name, scheduleName: schedule?.name), tenantId: tenant.rowID)
        return finished
    }

    private func executeLocked(
        _ claimed: BackupRun, schedule: BackupSchedule?, tenant: Tenant, keys: [String],
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async throws(TenantPilotError) -> BackupRun {
        let runId = claimed.rowID
        let actor = claimed.actor ?? ActorName.system
        let label = schedule.map { "\(tenant.name)/\($0.name)" } ?? tenant.name
        var logger = self.logger
        logger[metadataKey: "run"] = "\(runId)"
        logger[metadataKey: "schedule"] = "\(label)"
        let ending = RunEnding(executor: self, schedule: schedule, tenant: tenant, actor: actor, logger: logger)

        // 1. Lock: one execution per schedule at a time, on every host (a run without a schedule
        // has no schedule to overlap with).
        let lock: StoreLock?
        if let schedule {
            guard let held = try await store.tryLock(.schedule(schedule.rowID)) else {
                logger.info("the schedule's lock is held: skipping")
                return try await ending.finish(
                    claimed,
                    result: RunResult(
                        status: .skipped, code: .concurrentRun,
                        message: "schedule \(label) was already running; this run was skipped"))
            }
            lock = held
        } else {
            lock = nil
        }
        defer { lock?.release() }
        // A restore writing into the tenant holds its tenant lock exclusive: never capture a
        // half-restored tenant.
        guard let tenantLock = try await TenantWriteLock.shared(store: store, tenantId: tenant.rowID) else {
            logger.info("a restore holds the tenant's lock: skipping")
            return try await ending.finish(
                claimed,
                result: RunResult(
                    status: .skipped, code: .concurrentRun,
                    message: "a restore was writing into tenant \(tenant.name); this run of \(label) was skipped"))
        }
        defer { tenantLock.release() }

        // 2. Running, and its audit entry, in one transaction.
        let startedAt = clock.now()
        let started = try await store.write { tx in
            let started = try tx.runs.start(
                claimed, process: ProcessIdentity.current, host: HostIdentity.current, at: Instant(startedAt))
            try tx.audit.record(
                at: startedAt, actor: actor, tenantId: tenant.id, action: .runStarted, resource: .run,
                resourceId: String(runId),
                metadata: [
                    "schedule_id": schedule.map { .int($0.rowID) } ?? .null,
                    "scheduled_for": .string(started.scheduledFor.text),
                    "trigger": .string(started.trigger.rawValue),
                ])
            return started
        }
        logger.debug("run started")
        await observer?.runStarted(
            RunDocument(started, tenantName: tenant.name, scheduleName: schedule?.name), tenantId: tenant.rowID)

        // 3. Types: keys the registry no longer knows are skipped.
        let known = keys.compactMap { registry.type(forKey: $0) }
        let unknown = keys.filter { registry.type(forKey: $0) == nil }
        if known.isEmpty {
            return try await ending.finish(
                started,
                result: RunResult(
                    status: .skipped, code: .unknownPolicyType,
                    message: "no known policy type to back up (unknown: \(unknown.joined(separator: ", ")))",
                    skippedTypes: unknown))
        }

        // 4. Sync, then capture into a set left `building` — within the run's deadline.
        let (backup, instant, scheduleId) = (self.backup, clock.now(), schedule?.id)
        let capture = await deadline.run {
            await backup.capture(
                tenant: tenant, types: known, scheduleId: scheduleId, runId: runId, actor: actor, at: instant,
                progress: progress)
        }
        switch capture {
        case .finished(let outcome), .timedOut(let outcome):
            logger.debug(
                "captured",
                metadata: [
                    "items": "\(outcome.items)", "failed_items": "\(outcome.failedItems)",
                    "failed_types": "\(outcome.failedTypes.map(\.key))",
                    "fatal": "\(outcome.fatal?.code.rawValue ?? "-")",
                ])
        case .abandoned:
            logger.info("the run's capture did not end at its deadline; its set is dropped")
        }

        // 5–8. Status, set, retention, bookkeeping, audit, notification: one transaction.
        return try await ending.finish(started, capture: capture, knownTypes: known.count, unknownTypes: unknown)
    }
}
