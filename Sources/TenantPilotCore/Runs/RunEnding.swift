import Foundation
import Logging

/// How a run ends (docs/architecture.md steps 5–8), in one write transaction: the set completed with its
/// `backup.created`, retention after a usable run (its failure does not fail the run), the run
/// row, the schedule's last run, `run_completed`, and for an interactive run a notification.
/// A process killed before the commit leaves the run unfinished and its set `building` (the
/// next dispatch marks it ABANDONED and drops the set); after it, everything.
struct RunEnding: Sendable {
    let executor: RunExecutor
    /// Nil for a backup of a tenant alone (`backups create`): no retention, no schedule to update.
    let schedule: BackupSchedule?
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

    /// Ends a run after its capture: completes its set, applies retention, writes its end. A
    /// capture stopped at the run's deadline keeps what it captured (`partial` with
    /// `RUN_TIMEOUT`); one that did not even wind up has its set dropped (`failed`).
    func finish(
        _ run: BackupRun, capture: RunDeadline.Outcome<BackupOutcome>, knownTypes: Int, unknownTypes: [String]
    ) async throws(TenantPilotError) -> BackupRun {
        let retentionAt = executor.clock.now()
        let instant = executor.clock.now()
        let (ending, deadline) = (self, executor.deadline)
        let (finished, setsDeleted) = try await store.write { tx -> (BackupRun, Int) in
            var result: RunResult
            switch capture {
            case .finished(let outcome):
                result = try ending.complete(tx, outcome, knownTypes: knownTypes, unknownTypes: unknownTypes)
            case .timedOut(let outcome):
                result = try ending.complete(tx, outcome, knownTypes: knownTypes, unknownTypes: unknownTypes)
                    .timedOut(after: deadline)
            case .abandoned:
                try BackupSetDeletion.delete(tx, setIds: try tx.backupSets.building(ofRuns: [run.rowID]))
                result = RunResult(
                    status: .failed, code: RunDeadline.errorCode, message: RunResult.timeoutMessage(deadline))
            }
            var setsDeleted = 0
            if result.status == .success || result.status == .partial, let schedule = ending.schedule {
                do {
                    setsDeleted = try tx.savepoint {
                        try RetentionService.applyOne(
                            tx, scheduleId: schedule.rowID, actor: ending.actor, at: retentionAt)
                    }.setsDeleted
                } catch {
                    let reason =
                        (error as? TenantPilotError)?.message
                        ?? "cannot apply retention to schedule \(schedule.rowID): \(ending.store.describe(error))"
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

    /// Completes the captured set (with `backup.created`) and decides the run's status from what
    /// the capture achieved. A set that cannot be completed (discarded under the run) leaves the
    /// run with nothing usable.
    private func complete(
        _ tx: any StoreTransaction, _ outcome: BackupOutcome, knownTypes: Int, unknownTypes: [String]
    ) throws -> RunResult {
        var outcome = outcome
        if let completion = outcome.completion {
            do {
                try tx.savepoint { try completion.record(in: tx) }
            } catch {
                outcome.fatal =
                    error as? TenantPilotError
                    ?? .failed(
                        "cannot complete backup set \(completion.setId): \(store.describe(error))",
                        code: .storeUnavailable)
                outcome.backupSetId = nil
            }
        }
        return RunResult.from(outcome, knownTypes: knownTypes, unknownTypes: unknownTypes)
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
        if let schedule { try tx.schedules.recordLastRun(schedule.rowID, status: result.status, at: stamp) }
        try tx.audit.record(
            at: now, actor: actor, tenantId: tenant.id, action: .runCompleted, resource: .run,
            resourceId: String(run.rowID),
            status: result.status.rawValue,
            metadata: [
                "schedule_id": schedule.map { .int($0.rowID) } ?? .null,
                "scheduled_for": .string(run.scheduledFor.text),
                "trigger": .string(run.trigger.rawValue), "status": .string(result.status.rawValue),
                "error_code": result.code.map { .string($0.rawValue) } ?? .null,
                "backup_set_id": result.backupSetId.map(JSONValue.int) ?? .null,
                "policies": .int(Int64(result.counts.policies)), "items": .int(Int64(result.counts.items)),
                "failed_items": .int(Int64(result.counts.failedItems)),
                "skipped_types": .array(result.counts.skippedTypes.map(JSONValue.string)),
            ])
        if run.trigger != .scheduled {
            let name = schedule.map { "\(tenant.name)/\($0.name)" } ?? tenant.name
            try Notifier.notify(tx, run: run, scheduleName: name, actor: actor, at: now)
        }
        logger.debug(
            "run finished",
            metadata: ["status": "\(result.status.rawValue)", "code": "\(result.code?.rawValue ?? "-")"])
        return run
    }
}
