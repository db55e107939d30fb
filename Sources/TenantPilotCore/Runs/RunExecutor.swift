import Foundation
import GRDB

/// The run pipeline of SPEC §6, shared by scheduled, manual and retry runs: lock, type check,
/// sync and backup, status, retention, bookkeeping, audit and notification.
public struct RunExecutor: Sendable {
    public let store: Store
    public let registry: PolicyTypeRegistry
    public let clock: Clock
    public let backup: any BackupPerforming
    /// How long the Graph part of one run may take (`--run-timeout`).
    public let deadline: RunDeadline

    public init(
        store: Store, registry: PolicyTypeRegistry, clock: Clock, backup: any BackupPerforming,
        deadline: RunDeadline = .standard
    ) {
        self.store = store
        self.registry = registry
        self.clock = clock
        self.backup = backup
        self.deadline = deadline
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

        func concurrent(_ message: String) throws(TenantPilotError) -> BackupRun {
            try finish(
                runId, schedule: schedule, tenant: tenant, actor: actor,
                result: RunResult(status: .skipped, code: "CONCURRENT_RUN", message: message))
        }

        // 1. Lock: one execution per schedule at a time.
        try store.ensureLockDirectory()
        guard let lock = try FileLock.tryAcquire(path: lockPath(scheduleId: schedule.rowID)) else {
            return try concurrent("schedule \(tenant.name)/\(schedule.name) was already running; this run was skipped")
        }
        defer { lock.release() }
        // A restore writing into the tenant holds its tenant lock exclusive: never capture a
        // half-restored tenant.
        guard let tenantLock = try TenantWriteLock.shared(store: store, tenantId: tenant.rowID) else {
            return try concurrent("a restore was writing into tenant \(tenant.name); this run of \(tenant.name)/\(schedule.name) was skipped")
        }
        defer { tenantLock.release() }

        let started = try RunStore(store: store).start(runId, at: clock.now())
        try store.write { db in
            try AuditLog.record(
                db, at: clock.now(), actor: actor, tenantId: tenant.id, action: "backup_schedule.run_started",
                resourceType: "backup_schedule_run", resourceId: String(runId),
                metadata: [
                    "schedule_id": .int(schedule.rowID), "scheduled_for": .string(started.scheduledFor),
                    "trigger": .string(started.trigger.rawValue),
                ])
        }

        // 3. Types: keys the registry no longer knows are skipped.
        let keys = schedule.policyTypeKeys
        let known = keys.compactMap { registry.type(forKey: $0) }
        let unknown = keys.filter { registry.type(forKey: $0) == nil }
        if known.isEmpty {
            return try finish(
                runId, schedule: schedule, tenant: tenant, actor: actor,
                result: RunResult(
                    status: .skipped, code: "UNKNOWN_POLICY_TYPE",
                    message: "no known policy type to back up (unknown: \(unknown.joined(separator: ", ")))",
                    skippedTypes: unknown))
        }

        // 4. Sync, then backup — within the run's deadline.
        let (backup, instant, scheduleId) = (self.backup, clock.now(), schedule.rowID)
        let work = await deadline.run {
            await backup.backup(
                tenant: tenant, types: known, scheduleId: scheduleId, runId: runId, actor: actor, at: instant,
                progress: progress)
        }

        // 5. Status.
        var result: RunResult
        switch work {
        case .finished(let outcome):
            result = RunResult.from(outcome, knownTypes: known.count, unknownTypes: unknown)
        case .timedOut(let outcome):
            result = RunResult.from(outcome, knownTypes: known.count, unknownTypes: unknown).timedOut(after: deadline)
        case .abandoned:
            try dropUnfinishedSets(of: runId)
            result = RunResult(
                status: .failed, code: RunDeadline.errorCode, message: RunResult.timeoutMessage(deadline))
        }

        // 7. Retention after a usable run.
        if result.status == .success || result.status == .partial {
            do {
                _ = try RetentionService(store: store).apply(
                    scheduleId: schedule.rowID, dryRun: false, actor: actor, at: clock.now())
            } catch {
                result.message = [result.message, "retention could not be applied: \(error.message)"]
                    .compactMap { $0 }.joined(separator: "; ")
            }
        }

        // 8. Bookkeeping, audit, notification.
        return try finish(runId, schedule: schedule, tenant: tenant, actor: actor, result: result)
    }

    /// Deletes the half-written set of a run whose work was abandoned at its deadline.
    func dropUnfinishedSets(of runId: Int64) throws(TenantPilotError) {
        try store.write { db in
            let building = try Int64.fetchAll(
                db, sql: "SELECT id FROM backup_sets WHERE run_id = ? AND status = 'building'", arguments: [runId])
            _ = try BackupSetDeletion.delete(db, setIds: building)
        }
    }

    /// Ends a run: its row, the schedule's last run, `run_completed`, and for an interactive
    /// run a notification to its actor — in one transaction.
    func finish(_ runId: Int64, schedule: BackupSchedule, tenant: Tenant, actor: String, result: RunResult)
        throws(TenantPilotError) -> BackupRun
    {
        let instant = clock.now()
        return try store.write { db in
            guard var run = try BackupRun.fetchOne(db, key: runId) else {
                throw TenantPilotError.failed("run \(runId) vanished", code: "INTERNAL_ERROR")
            }
            let stamp = ISO8601.string(instant)
            run.status = result.status
            run.errorCode = result.code
            run.errorMessage = result.message
            run.backupSetId = result.backupSetId
            run.policiesCount = result.counts.policies
            run.itemsCount = result.counts.items
            run.failedItemsCount = result.counts.failed_items
            run.skippedTypes = BackupSchedule.encodeTypes(result.counts.skipped_types)
            if run.startedAt == nil { run.startedAt = stamp }
            run.finishedAt = stamp
            try run.update(db)
            try db.execute(
                sql: "UPDATE backup_schedules SET last_run_at = ?, last_run_status = ? WHERE id = ?",
                arguments: [stamp, result.status.rawValue, schedule.rowID])
            try AuditLog.record(
                db, at: instant, actor: actor, tenantId: tenant.id, action: "backup_schedule.run_completed",
                resourceType: "backup_schedule_run", resourceId: String(runId),
                status: result.status.rawValue,
                metadata: [
                    "schedule_id": .int(schedule.rowID), "scheduled_for": .string(run.scheduledFor),
                    "trigger": .string(run.trigger.rawValue), "status": .string(result.status.rawValue),
                    "error_code": result.code.map(JSONValue.string) ?? .null,
                    "backup_set_id": result.backupSetId.map(JSONValue.int) ?? .null,
                    "policies": .int(Int64(result.counts.policies)), "items": .int(Int64(result.counts.items)),
                    "failed_items": .int(Int64(result.counts.failed_items)),
                    "skipped_types": .array(result.counts.skipped_types.map(JSONValue.string)),
                ])
            if run.trigger != .scheduled {
                try Notifier.notify(
                    db, run: run, scheduleName: "\(tenant.name)/\(schedule.name)", actor: actor, at: instant)
            }
            return run
        }
    }
}

/// The end state of a run, before it is written.
struct RunResult: Sendable {
    var status: BackupRun.Status
    var code: String?
    var message: String?
    var backupSetId: Int64?
    var counts: RunCounts

    init(
        status: BackupRun.Status, code: String?, message: String?, backupSetId: Int64? = nil,
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
                status: .partial, code: "GRAPH_BAD_RESPONSE",
                message: "\(outcome.failedItems) polic\(outcome.failedItems == 1 ? "y" : "ies") could not be captured")
        } else if !unknownTypes.isEmpty {
            result = RunResult(
                status: .partial, code: "UNKNOWN_POLICY_TYPE",
                message: "skipped unknown policy types: \(unknownTypes.joined(separator: ", "))")
        } else {
            result = RunResult(status: .success, code: nil, message: nil)
        }
        if result.status == .partial, !unknownTypes.isEmpty, result.code != "UNKNOWN_POLICY_TYPE" {
            result.message =
                (result.message ?? "") + "; skipped unknown policy types: \(unknownTypes.joined(separator: ", "))"
        }
        result.backupSetId = result.status == .failed ? nil : outcome.backupSetId
        result.counts = RunCounts(
            policies: outcome.policies, items: outcome.items, failedItems: outcome.failedItems,
            skippedTypes: unknownTypes + failedKeys)
        return result
    }

    /// The run passed its deadline: whatever was captured before it stays (`partial`), and the
    /// code says why the rest is missing.
    func timedOut(after deadline: RunDeadline) -> RunResult {
        var result = self
        result.status = backupSetId == nil ? .failed : .partial
        result.code = RunDeadline.errorCode
        result.message = Self.timeoutMessage(deadline)
        if result.status == .failed { result.backupSetId = nil }
        return result
    }

    static func timeoutMessage(_ deadline: RunDeadline) -> String {
        "the run passed its deadline of \(deadline.description) (--run-timeout) and was stopped; what was not captured by then is missing"
    }

    private static func describe(_ failures: [(key: String, error: TenantPilotError)]) -> String {
        RunFailureSummary.describe(failures)
    }
}
