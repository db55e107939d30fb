import Foundation
import Logging

/// The run pipeline of SPEC §6, shared by scheduled, manual and retry runs: lock, type check,
/// sync and capture, status, then one transaction that completes the set, applies retention,
/// and writes the run's end, the schedule's last run, the audit entries and the notification.
public struct RunExecutor: Sendable {
    public let store: Store
    public let registry: PolicyTypeRegistry
    public let clock: Clock
    public let backup: any BackupPerforming
    /// Diagnostics (`--log-level`); never a secret.
    public let logger: Logger

    public init(
        store: Store, registry: PolicyTypeRegistry, clock: Clock, backup: any BackupPerforming,
        logger: Logger = .disabled
    ) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.backup = backup
        self.logger = logger
    }

    /// Path of the per-schedule lock file.
    public func lockPath(scheduleId: Int64) -> String {
        store.lockDirectory + "/schedule-\(scheduleId).lock"
    }

    /// Executes a claimed (`pending`) run to its end and returns it as finished.
    public func execute(
        _ claimed: BackupRun, schedule: BackupSchedule, tenant: Tenant,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws(TenantPilotError) -> BackupRun {
        let runId = claimed.rowID
        let actor = claimed.actor ?? ActorName.system
        var logger = self.logger
        logger[metadataKey: "run"] = "\(runId)"
        logger[metadataKey: "schedule"] = "\(tenant.name)/\(schedule.name)"
        let ending = RunEnding(executor: self, schedule: schedule, tenant: tenant, actor: actor, logger: logger)

        // 1. Lock: one execution per schedule at a time.
        try store.ensureLockDirectory()
        guard let lock = try FileLock.tryAcquire(path: lockPath(scheduleId: schedule.rowID)) else {
            logger.info("the schedule's lock is held: skipping")
            return try await ending.finish(
                claimed,
                result: RunResult(
                    status: .skipped, code: .concurrentRun,
                    message: "schedule \(tenant.name)/\(schedule.name) was already running; this run was skipped"))
        }
        defer { lock.release() }

        // 2. Running, and its audit entry, in one transaction.
        let startedAt = clock.now()
        let started = try await store.write { tx in
            let started = try tx.runs.start(claimed, process: ProcessIdentity.current, at: Instant(startedAt))
            try tx.audit.record(
                at: startedAt, actor: actor, tenantId: tenant.id, action: .runStarted, resource: .run,
                resourceId: String(runId),
                metadata: [
                    "schedule_id": .int(schedule.rowID), "scheduled_for": .string(started.scheduledFor.text),
                    "trigger": .string(started.trigger.rawValue),
                ])
            return started
        }
        logger.debug("run started")

        // 3. Types: keys the registry no longer knows are skipped.
        let keys = schedule.policyTypes
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

        // 4. Sync, then capture into a set left `building`.
        let outcome = await backup.capture(
            tenant: tenant, types: known, scheduleId: schedule.rowID, runId: runId, actor: actor, at: clock.now(),
            progress: progress)
        logger.debug(
            "captured",
            metadata: [
                "items": "\(outcome.items)", "failed_items": "\(outcome.failedItems)",
                "failed_types": "\(outcome.failedTypes.map(\.key))", "fatal": "\(outcome.fatal?.code.rawValue ?? "-")",
            ])

        // 5–8. Status, set, retention, bookkeeping, audit, notification: one transaction.
        return try await ending.finish(started, outcome: outcome, knownTypes: known.count, unknownTypes: unknown)
    }
}

/// How a run ends (SPEC §6 steps 5–8), in one write transaction: the set completed with its
/// `backup.created`, retention after a usable run (its failure does not fail the run), the run
/// row, the schedule's last run, `run_completed`, and for an interactive run a notification.
/// A process killed before the commit leaves the run unfinished and its set `building` (the
/// next dispatch marks it ABANDONED and drops the set); after it, everything.
struct RunEnding: Sendable {
    let executor: RunExecutor
    let schedule: BackupSchedule
    let tenant: Tenant
    let actor: String
    let logger: Logger

    var store: Store { executor.store }

    /// Ends a run that captured nothing (skipped before the backup).
    func finish(_ run: BackupRun, result: RunResult) async throws(TenantPilotError) -> BackupRun {
        let instant = executor.clock.now()
        let ending = self
        return try await store.write { tx in
            try ending.write(tx, run: run, result: result, at: instant)
        }
    }

    /// Ends a run after its backup: completes its set, applies retention, writes its end.
    func finish(_ run: BackupRun, outcome: BackupOutcome, knownTypes: Int, unknownTypes: [String])
        async throws(TenantPilotError) -> BackupRun
    {
        let retentionAt = executor.clock.now()
        let instant = executor.clock.now()
        let ending = self
        let (finished, setsDeleted) = try await store.write { tx -> (BackupRun, Int) in
            var outcome = outcome
            if let completion = outcome.completion {
                do {
                    try tx.savepoint { try completion.record(in: tx) }
                } catch {
                    // The set was closed under the run (discarded), or could not be written:
                    // nothing usable is stored.
                    outcome.fatal =
                        error as? TenantPilotError
                        ?? .failed(
                            "cannot complete backup set \(completion.setId): \(ending.store.describe(error))",
                            code: .storeUnavailable)
                    outcome.backupSetId = nil
                }
            }
            var result = RunResult.from(outcome, knownTypes: knownTypes, unknownTypes: unknownTypes)
            var setsDeleted = 0
            if result.status == .success || result.status == .partial {
                do {
                    setsDeleted = try tx.savepoint {
                        try RetentionService.applyOne(
                            tx, scheduleId: ending.schedule.rowID, actor: ending.actor, at: retentionAt)
                    }.setsDeleted
                } catch {
                    let reason =
                        (error as? TenantPilotError)?.message
                        ?? "cannot apply retention to schedule \(ending.schedule.rowID): \(ending.store.describe(error))"
                    result.message = [result.message, "retention could not be applied: \(reason)"]
                        .compactMap { $0 }.joined(separator: "; ")
                }
            }
            return (try ending.write(tx, run: run, result: result, at: instant), setsDeleted)
        }
        // Space freed by retention goes back in short steps of their own, after the run's end.
        if setsDeleted > 0 {
            do {
                _ = try await RetentionService(store: store).reclaimSpace()
            } catch {
                logger.warning(
                    "could not give the space of deleted backup sets back to the file system",
                    metadata: ["error": "\(error.message)"])
            }
        }
        return finished
    }

    /// The run row, the schedule's last run, `run_completed` and the notification.
    private func write(_ tx: any StoreTransaction, run: BackupRun, result: RunResult, at now: Date) throws -> BackupRun
    {
        let stamp = Instant(now)
        var run = run
        run.status = result.status
        run.errorCode = result.code
        run.errorMessage = result.message
        run.backupSetId = result.backupSetId
        run.policiesCount = result.counts.policies
        run.itemsCount = result.counts.items
        run.failedItemsCount = result.counts.failedItems
        run.skippedTypes = result.counts.skippedTypes
        if run.startedAt == nil { run.startedAt = stamp }
        run.finishedAt = stamp
        try tx.runs.finish(run)
        try tx.schedules.recordLastRun(schedule.rowID, status: result.status, at: stamp)
        try tx.audit.record(
            at: now, actor: actor, tenantId: tenant.id, action: .runCompleted, resource: .run,
            resourceId: String(run.rowID),
            status: result.status.rawValue,
            metadata: [
                "schedule_id": .int(schedule.rowID), "scheduled_for": .string(run.scheduledFor.text),
                "trigger": .string(run.trigger.rawValue), "status": .string(result.status.rawValue),
                "error_code": result.code.map { .string($0.rawValue) } ?? .null,
                "backup_set_id": result.backupSetId.map(JSONValue.int) ?? .null,
                "policies": .int(Int64(result.counts.policies)), "items": .int(Int64(result.counts.items)),
                "failed_items": .int(Int64(result.counts.failedItems)),
                "skipped_types": .array(result.counts.skippedTypes.map(JSONValue.string)),
            ])
        if run.trigger != .scheduled {
            try Notifier.notify(tx, run: run, scheduleName: "\(tenant.name)/\(schedule.name)", actor: actor, at: now)
        }
        logger.debug(
            "run finished",
            metadata: ["status": "\(result.status.rawValue)", "code": "\(result.code?.rawValue ?? "-")"])
        return run
    }
}

/// The end state of a run, before it is written.
struct RunResult: Sendable {
    var status: BackupRun.Status
    var code: ErrorCode?
    var message: String?
    var backupSetId: Int64?
    var counts: RunCounts

    init(
        status: BackupRun.Status, code: ErrorCode?, message: String?, backupSetId: Int64? = nil,
        skippedTypes: [String] = []
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.backupSetId = backupSetId
        self.counts = RunCounts(skippedTypes: skippedTypes)
    }

    /// SPEC §6 step 5: `failed` when nothing usable was captured or the tenant could not be
    /// reached; `partial` when some types or items were not captured (or some type keys are
    /// unknown); `success` otherwise.
    static func from(_ outcome: BackupOutcome, knownTypes: Int, unknownTypes: [String]) -> RunResult {
        let failedKeys = outcome.failedTypes.map(\.key)
        var result: RunResult
        if let fatal = outcome.fatal {
            result = RunResult(status: .failed, code: fatal.code, message: fatal.message)
        } else if let first = outcome.failedTypes.first,
            outcome.failedTypes.count >= knownTypes || outcome.backupSetId == nil
        {
            result = RunResult(status: .failed, code: first.error.code, message: Self.describe(outcome.failedTypes))
        } else if let first = outcome.failedTypes.first {
            result = RunResult(status: .partial, code: first.error.code, message: Self.describe(outcome.failedTypes))
        } else if outcome.failedItems > 0 {
            result = RunResult(
                status: .partial, code: .graphBadResponse,
                message: "\(outcome.failedItems) polic\(outcome.failedItems == 1 ? "y" : "ies") could not be captured")
        } else if !unknownTypes.isEmpty {
            result = RunResult(
                status: .partial, code: .unknownPolicyType,
                message: "skipped unknown policy types: \(unknownTypes.joined(separator: ", "))")
        } else {
            result = RunResult(status: .success, code: nil, message: nil)
        }
        if result.status == .partial, !unknownTypes.isEmpty, result.code != .unknownPolicyType {
            result.message =
                (result.message ?? "") + "; skipped unknown policy types: \(unknownTypes.joined(separator: ", "))"
        }
        result.backupSetId = result.status == .failed ? nil : outcome.backupSetId
        result.counts = RunCounts(
            policies: outcome.policies, items: outcome.items, failedItems: outcome.failedItems,
            skippedTypes: unknownTypes + failedKeys)
        return result
    }

    private static func describe(_ failures: [(key: String, error: TenantPilotError)]) -> String {
        failures.map { "\($0.key): \($0.error.message)" }.joined(separator: "; ")
    }
}
