import Foundation
import GRDB

/// The cron entry point (SPEC §5): recovers runs left by dead processes, claims the due slot
/// of every due schedule exactly once, records missed slots, executes what it claimed, exits.
public struct Dispatcher: Sendable {
    public let executor: RunExecutor
    public var store: Store { executor.store }

    /// Default grace window for late cron ticks.
    public static let defaultGrace: TimeInterval = 300
    /// Missed slots are counted up to this many; past it the message says "more than".
    static let missedSlotCountCap = 10_000

    public init(executor: RunExecutor) {
        self.executor = executor
    }

    /// What one dispatch did.
    public struct Report: Sendable {
        public var now: Date
        /// Every run this dispatch created (skipped ones included), as they ended.
        public var runs: [RunDocument]
        /// Runs found abandoned by dead processes and marked failed.
        public var abandoned: [Int64]
        /// Why every next slot was recomputed first, if it was.
        public var realigned: Realignment? = nil
    }

    /// A run this dispatch claimed and must execute.
    struct ClaimedRun: Sendable {
        let run: BackupRun
        let schedule: BackupSchedule
        let tenant: Tenant
    }

    public func dispatch(
        at now: Date, grace: TimeInterval = defaultGrace, concurrency: Int = 4, actor: String = ActorName.system
    ) async throws(TenantPilotError) -> Report {
        let abandoned = try recoverAbandoned(at: now, actor: actor)
        let realigned = try realignNextSlots(at: now, grace: grace)
        let (claimed, skipped) = try claimDueSlots(at: now, grace: grace)

        if !claimed.isEmpty || !skipped.isEmpty {
            try store.write { db in
                try AuditLog.record(
                    db, at: now, actor: actor, tenantId: nil, action: "backup_schedule.dispatched",
                    resourceType: "dispatch", resourceId: nil,
                    metadata: [
                        "runs_created": .int(Int64(claimed.count + skipped.count)),
                        "runs_to_execute": .int(Int64(claimed.count)),
                        "missed_slots_recorded": .int(Int64(skipped.count)), "abandoned": .int(Int64(abandoned.count)),
                    ])
            }
        }

        let finished = try await execute(claimed, concurrency: max(1, concurrency))
        let documents = try store.read { db in
            try (skipped + finished).sorted { $0.rowID < $1.rowID }.map { try RunStore.document(db, $0) }
        }
        return Report(now: now, runs: documents, abandoned: abandoned, realigned: realigned)
    }

    /// Marks runs whose process died `failed`/`ABANDONED`, and drops their unfinished sets so
    /// that no half-written set ever appears as a backup.
    func recoverAbandoned(at now: Date, actor: String) throws(TenantPilotError) -> [Int64] {
        // A cheap read first: almost every dispatch finds no unfinished run at all.
        let candidates = try store.read { db in try RunStore.abandonedRuns(db) }
        guard !candidates.isEmpty else { return [] }
        return try store.write { db in
            var recovered: [Int64] = []
            for run in try RunStore.abandonedRuns(db) {
                let stamp = ISO8601.string(now)
                let message =
                    "the process that was running it (\(run.process ?? "unknown")) ended before the run finished"
                try db.execute(
                    sql: """
                        UPDATE backup_schedule_runs
                        SET status = 'failed', error_code = 'ABANDONED', error_message = ?, finished_at = ?,
                            backup_set_id = CASE WHEN trigger = 'restore' THEN backup_set_id END
                        WHERE id = ?
                        """,
                    arguments: [message, stamp, run.id])
                let halfWritten = try Int64.fetchAll(
                    db, sql: "SELECT id FROM backup_sets WHERE run_id = ? AND status = 'building'", arguments: [run.id])
                try BackupSetDeletion.delete(db, setIds: halfWritten)
                try db.execute(
                    sql: "UPDATE backup_schedules SET last_run_at = ?, last_run_status = 'failed' WHERE id = ?",
                    arguments: [stamp, run.scheduleId])
                try AuditLog.record(
                    db, at: now, actor: actor, tenantId: run.tenantId, action: "backup_schedule.run_completed",
                    resourceType: "backup_schedule_run", resourceId: String(run.rowID), status: "failed",
                    metadata: [
                        "schedule_id": run.scheduleId.map(JSONValue.int) ?? .null, "scheduled_for": .string(run.scheduledFor),
                        "trigger": .string(run.trigger.rawValue), "status": .string("failed"), "error_code": .string("ABANDONED"),
                    ])
                recovered.append(run.rowID)
            }
            return recovered
        }
    }

    /// For every schedule whose `next_run_at` has come: claims the latest slot inside the grace
    /// window, records the latest missed slot before it, and advances `next_run_at` — all in one
    /// transaction per schedule, so any number of concurrent dispatchers create each run once.
    func claimDueSlots(at now: Date, grace: TimeInterval) throws(TenantPilotError) -> (
        claimed: [ClaimedRun], skipped: [BackupRun]
    ) {
        let nowText = ISO8601.string(now)
        let dueIds = try store.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM backup_schedules INDEXED BY backup_schedules_due
                    WHERE enabled = 1 AND removed_at IS NULL AND next_run_at <= ?
                    ORDER BY next_run_at, id
                    """,
                arguments: [nowText])
        }
        var claimed: [ClaimedRun] = []
        var skipped: [BackupRun] = []
        for id in dueIds {
            let outcome = try store.write { db in try Self.claim(db, scheduleId: id, now: now, grace: grace) }
            if let run = outcome.claimed { claimed.append(run) }
            if let run = outcome.missed { skipped.append(run) }
        }
        return (claimed, skipped)
    }

    static func claim(_ db: Database, scheduleId: Int64, now: Date, grace: TimeInterval) throws -> (
        claimed: ClaimedRun?, missed: BackupRun?
    ) {
        // Re-read inside the write transaction: another dispatcher may have advanced it.
        guard var schedule = try BackupSchedule.fetchOne(db, key: scheduleId), schedule.enabled, !schedule.isRemoved,
            let nextText = schedule.nextRunAt, let next = ISO8601.parse(nextText), next <= now,
            let tenant = try Tenant.fetchOne(db, key: schedule.tenantId)
        else { return (nil, nil) }

        let timetable = try schedule.decodedTimetable()
        let zone = try ScheduleZone.resolve(schedule.timezone)
        let windowStart = now.addingTimeInterval(-grace)
        // The due slot: the latest slot s with now − grace < s ≤ now, never before next_run_at.
        let lowerBound = max(next, windowStart.addingTimeInterval(1))
        let due = timetable.latestSlot(atOrBefore: now, notBefore: lowerBound, in: zone)

        // Slots from next_run_at up to the window's start were missed: no catch-up, one record.
        var missedRun: BackupRun?
        if next <= windowStart {
            // Counted up to a cap, so that a gap of years costs no more than a gap of a week.
            let missedCount = timetable.countSlots(
                after: next.addingTimeInterval(-1), through: windowStart, in: zone, limit: Self.missedSlotCountCap + 1)
            if missedCount > 0,
                let latestMissed = timetable.latestSlot(atOrBefore: windowStart, notBefore: next, in: zone)
            {
                let counted = missedCount > Self.missedSlotCountCap ? "more than 10,000" : "\(missedCount)"
                let message =
                    missedCount == 1
                    ? "1 slot missed (\(ISO8601.minuteString(latestMissed))): dispatch did not run within the grace window; no catch-up"
                    : "\(counted) slots missed (\(ISO8601.minuteString(next)) to \(ISO8601.minuteString(latestMissed))): dispatch did not run within the grace window; no catch-up"
                missedRun = try RunStore.recordSkipped(
                    db, scheduleId: schedule.rowID, tenantId: tenant.rowID,
                    scheduledFor: ISO8601.minuteString(latestMissed),
                    code: "MISSED_SLOT", message: message, at: now)
                if missedRun != nil {
                    try db.execute(
                        sql: "UPDATE backup_schedules SET last_run_at = ?, last_run_status = 'skipped' WHERE id = ?",
                        arguments: [ISO8601.string(now), schedule.rowID])
                }
            }
        }

        var claimed: ClaimedRun?
        if let due {
            switch try RunStore.claimSlot(
                db, scheduleId: schedule.rowID, tenantId: tenant.rowID, scheduledFor: ISO8601.minuteString(due),
                trigger: .scheduled, retryOf: nil, actor: nil, at: now)
            {
            case .claimed(let run): claimed = ClaimedRun(run: run, schedule: schedule, tenant: tenant)
            case .taken: break
            }
        }

        schedule.nextRunAt = timetable.nextSlot(after: now, in: zone).map(ISO8601.minuteString)
        try db.execute(
            sql: "UPDATE backup_schedules SET next_run_at = ? WHERE id = ?",
            arguments: [schedule.nextRunAt, schedule.rowID])
        return (claimed, missedRun)
    }

    /// Executes claimed runs, at most `concurrency` at once.
    func execute(_ claimed: [ClaimedRun], concurrency: Int) async throws(TenantPilotError) -> [BackupRun] {
        let executor = self.executor
        var finished: [BackupRun] = []
        var failure: TenantPilotError?
        await withTaskGroup(of: Result<BackupRun, TenantPilotError>.self) { group in
            var pending = claimed[...]
            func startNext() {
                guard let next = pending.popFirst() else { return }
                group.addTask {
                    do throws(TenantPilotError) {
                        return .success(
                            try await executor.execute(next.run, schedule: next.schedule, tenant: next.tenant))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for _ in 0..<concurrency { startNext() }
            while let result = await group.next() {
                switch result {
                case .success(let run): finished.append(run)
                case .failure(let error): failure = failure ?? error
                }
                startNext()
            }
        }
        if let failure, finished.isEmpty { throw failure }
        return finished
    }
}
