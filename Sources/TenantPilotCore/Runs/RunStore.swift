import Foundation
import GRDB

/// The run history: claiming slots, moving runs through their states, finding runs left behind
/// by dead processes. Every method is one short transaction.
public struct RunStore: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// The outcome of claiming a slot.
    public enum Claim: Sendable {
        /// This process created the run and owns it.
        case claimed(BackupRun)
        /// The slot already had a run (another dispatcher's, or an earlier `run`).
        case taken(BackupRun)
    }

    /// Inserts a `pending` run for (schedule, slot) unless the slot already has one: the
    /// UNIQUE constraint decides, so two processes can never both create it.
    public static func claimSlot(
        _ db: Database, scheduleId: Int64, tenantId: Int64, scheduledFor: String, trigger: BackupRun.Trigger,
        retryOf: Int64?, actor: String?, at instant: Date
    ) throws -> Claim {
        try db.execute(
            sql: """
                INSERT INTO backup_schedule_runs
                    (backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, actor, process, created_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                ON CONFLICT (backup_schedule_id, scheduled_for) DO NOTHING
                """,
            arguments: [
                scheduleId, tenantId, scheduledFor, trigger.rawValue, retryOf, actor, ProcessIdentity.current,
                ISO8601.string(instant),
            ])
        let inserted = db.changesCount > 0
        guard
            let run = try BackupRun
                .filter(Column("backup_schedule_id") == scheduleId && Column("scheduled_for") == scheduledFor)
                .fetchOne(db)
        else {
            throw TenantPilotError.failed("run for schedule \(scheduleId) at \(scheduledFor) vanished", code: "INTERNAL_ERROR")
        }
        return inserted ? .claimed(run) : .taken(run)
    }

    /// Records a run that ended before it began (a missed slot): inserted already `skipped`.
    /// Returns nil when the slot already has a run.
    public static func recordSkipped(
        _ db: Database, scheduleId: Int64, tenantId: Int64, scheduledFor: String, code: String, message: String,
        at instant: Date
    ) throws -> BackupRun? {
        let stamp = ISO8601.string(instant)
        try db.execute(
            sql: """
                INSERT INTO backup_schedule_runs
                    (backup_schedule_id, tenant_id, scheduled_for, trigger, status, error_code, error_message,
                     created_at, started_at, finished_at)
                VALUES (?, ?, ?, 'scheduled', 'skipped', ?, ?, ?, ?, ?)
                ON CONFLICT (backup_schedule_id, scheduled_for) DO NOTHING
                """,
            arguments: [scheduleId, tenantId, scheduledFor, code, message, stamp, stamp, stamp])
        guard db.changesCount > 0 else { return nil }
        return try BackupRun.fetchOne(db, key: db.lastInsertedRowID)
    }

    /// Marks a claimed run `running` by this process.
    public func start(_ runId: Int64, at instant: Date) throws(TenantPilotError) -> BackupRun {
        try store.write { db in
            guard var run = try BackupRun.fetchOne(db, key: runId) else {
                throw TenantPilotError.failed("run \(runId) vanished", code: "INTERNAL_ERROR")
            }
            run.status = .running
            run.startedAt = ISO8601.string(instant)
            run.process = ProcessIdentity.current
            try run.update(db)
            return run
        }
    }

    /// Runs that a dead process left `pending` or `running`. The process identity (pid and
    /// start time) tells a dead owner from a live one, so a run in progress is never taken.
    public static func abandonedRuns(_ db: Database) throws -> [BackupRun] {
        try BackupRun
            .filter(["pending", "running"].contains(Column("status")))
            .fetchAll(db)
            .filter { run in !(run.process.map(ProcessIdentity.isAlive) ?? false) }
    }

    public func find(_ id: Int64) throws(TenantPilotError) -> RunDocument {
        try store.read { db in
            guard let run = try BackupRun.fetchOne(db, key: id) else {
                throw TenantPilotError.notFound("no run with id \(id); see `tenantpilot runs list`")
            }
            return try Self.document(db, run)
        }
    }

    /// Run history, newest first.
    public func list(scheduleId: Int64?, status: BackupRun.Status?, limit: Int) throws(TenantPilotError) -> [RunDocument] {
        try store.read { db in
            var request = BackupRun.order(Column("id").desc).limit(limit)
            if let scheduleId { request = request.filter(Column("backup_schedule_id") == scheduleId) }
            if let status { request = request.filter(Column("status") == status.rawValue) }
            let runs = try request.fetchAll(db)
            let schedules = try BackupSchedule.fetchAll(db, keys: Set(runs.compactMap(\.scheduleId)))
            let tenants = try Tenant.fetchAll(db, keys: Set(runs.map(\.tenantId)))
            let scheduleNames = Dictionary(uniqueKeysWithValues: schedules.map { ($0.rowID, $0.name) })
            let tenantNames = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0.name) })
            return runs.map {
                RunDocument($0, tenantName: tenantNames[$0.tenantId] ?? "?", scheduleName: $0.scheduleId.map { scheduleNames[$0] ?? "?" })
            }
        }
    }

    static func document(_ db: Database, _ run: BackupRun) throws -> RunDocument {
        let schedule = try run.scheduleId.flatMap { try BackupSchedule.fetchOne(db, key: $0) }
        let tenant = try Tenant.fetchOne(db, key: run.tenantId)
        return RunDocument(run, tenantName: tenant?.name ?? "?", scheduleName: run.scheduleId.map { _ in schedule?.name ?? "?" })
    }
}
