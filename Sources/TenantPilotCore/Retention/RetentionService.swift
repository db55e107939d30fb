import Foundation
import GRDB

/// Applies retention (SPEC §7), scoped, explainable and safe:
///
/// - **Scoped**: a schedule only ever deletes sets that it created
///   (`backup_sets.backup_schedule_id`); sets of other schedules and sets made by hand
///   (no schedule) are never looked at. Sets still `building` are never touched.
/// - **Explainable**: every finished set of the schedule is reported as kept or deleted with
///   the rule that decided it (`RetentionRules`).
/// - **Safe**: the schedule's newest `complete` set is never deleted; "newest" is counted in
///   sets (highest id), never in days or by a clock. Each schedule is applied in one write
///   transaction (items, sets, orphan payloads and the audit entry together), so a process
///   killed mid-way leaves the old state or the new one. A dry run only reads.
///
/// Space is given back afterwards by `PRAGMA incremental_vacuum` in small steps, each its own
/// short write, so a dispatch never waits behind one long exclusive lock.
///
/// No flock is taken: the database transactions are the coordination, and the run engine calls
/// this service while it holds the schedule's lock.
public struct RetentionService: Sendable {
    public let store: Store
    /// Pages freed per incremental-vacuum step (4 KiB each by default: 128 pages = 512 KiB).
    public let vacuumStepPages: Int

    /// The audit action written once per schedule applied.
    public static let auditAction = "backup_schedule.retention_applied"

    public init(store: Store, vacuumStepPages: Int = 128) {
        self.store = store
        self.vacuumStepPages = max(1, vacuumStepPages)
    }

    /// Applies retention to one schedule, or with `scheduleId` nil to every schedule that is not
    /// removed (enabled or disabled), in id order.
    ///
    /// A removed schedule named explicitly is reported with every set kept ("schedule removed"):
    /// removing a schedule never deletes backups, and nothing is applied or audited for it.
    /// With `dryRun`, nothing at all is written (no deletion, no audit entry, no vacuum); the
    /// report says what a real run would do at this moment.
    /// Throws `NOT_FOUND` (exit 2) for an unknown schedule id.
    public func apply(scheduleId: Int64?, dryRun: Bool, actor: String, at instant: Date) throws(TenantPilotError) -> RetentionReport {
        let scheduleIds = try scheduleIdsToApply(scheduleId)
        var reports: [RetentionScheduleReport] = []
        // In a dry run, sets that an earlier schedule would delete still exist; they are
        // excluded when counting orphan payloads, so the counts match what a real run does.
        var plannedDeletions: [Int64] = []
        for id in scheduleIds {
            let report: RetentionScheduleReport
            if dryRun {
                report = try StoreAccess.perform("plan retention of schedule \(id)") {
                    try store.writer.read { db in
                        try Self.evaluate(db, scheduleId: id, alreadyDeleted: plannedDeletions).report
                    }
                }
            } else {
                report = try StoreAccess.perform("apply retention to schedule \(id)") {
                    try store.writer.write { db in
                        try Self.applyOne(db, scheduleId: id, actor: actor, at: instant)
                    }
                }
            }
            plannedDeletions += report.sets.filter { $0.action == .delete }.map(\.setId)
            reports.append(report)
        }
        var pages = 0
        if !dryRun, reports.contains(where: { $0.setsDeleted > 0 }) {
            pages = try reclaimSpace()
        }
        return RetentionReport(dryRun: dryRun, schedules: reports, pagesReclaimed: pages)
    }

    /// Gives free pages back to the file system in steps of `vacuumStepPages`, each its own
    /// short write transaction, until none are left. Returns the number of pages reclaimed.
    /// Does nothing on a file made without `auto_vacuum = INCREMENTAL`.
    @discardableResult
    public func reclaimSpace(maxSteps: Int = 1_000_000) throws(TenantPilotError) -> Int {
        try store.releaseFreePages(stepPages: vacuumStepPages, maxSteps: maxSteps)
    }

    // MARK: - One schedule

    private struct Evaluation {
        var report: RetentionScheduleReport
        var deleteIds: [Int64]
    }

    private func scheduleIdsToApply(_ scheduleId: Int64?) throws(TenantPilotError) -> [Int64] {
        try StoreAccess.perform("read schedules") {
            try store.writer.read { db in
                if let scheduleId {
                    let exists = try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM backup_schedules WHERE id = ?)", arguments: [scheduleId]) ?? false
                    guard exists else {
                        throw TenantPilotError.notFound("no schedule with id \(scheduleId); see `tenantpilot schedules list`")
                    }
                    return [scheduleId]
                }
                return try Int64.fetchAll(db, sql: "SELECT id FROM backup_schedules WHERE removed_at IS NULL ORDER BY id")
            }
        }
    }

    /// Decides for every finished set of the schedule; reads only. With `countOrphans` false the
    /// report's payload counts are left at zero for the caller that deletes (and counts) them.
    private static func evaluate(
        _ db: Database, scheduleId: Int64, alreadyDeleted: [Int64], countOrphans: Bool = true
    ) throws -> Evaluation {
        guard
            let schedule = try Row.fetchOne(
                db,
                sql: """
                    SELECT sc.id, sc.tenant_id, t.name AS tenant_name, sc.name, sc.keep_last,
                           sc.removed_at IS NOT NULL AS removed
                    FROM backup_schedules sc JOIN tenants t ON t.id = sc.tenant_id
                    WHERE sc.id = ?
                    """,
                arguments: [scheduleId])
        else {
            throw TenantPilotError.notFound("no schedule with id \(scheduleId); see `tenantpilot schedules list`")
        }
        let keepLast: Int = schedule["keep_last"]
        let removed: Bool = schedule["removed"]
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, status, created_at FROM backup_sets
                WHERE backup_schedule_id = ? AND status IN ('complete', 'partial')
                ORDER BY id DESC
                """,
            arguments: [scheduleId])
        var sets: [(id: Int64, status: BackupSetOutcome, createdAt: Date)] = []
        for row in rows {
            let id: Int64 = row["id"]
            let statusText: String = row["status"]
            let createdText: String = row["created_at"]
            guard let status = BackupSetOutcome(rawValue: statusText), let createdAt = ISO8601.parse(createdText) else {
                throw TenantPilotError.failed(
                    "backup set \(id) has status \(statusText) and created_at \(createdText)", code: "STORE_CORRUPT")
            }
            sets.append((id, status, createdAt))
        }
        let decisions: [RetentionDecision]
        if removed {
            decisions = sets.map {
                RetentionDecision(
                    setId: $0.id, createdAt: $0.createdAt, status: $0.status, action: .keep,
                    reasons: ["schedule removed: its sets are kept"])
            }
        } else {
            let rules = RetentionRules.decide(
                sets: sets.map { RetentionRules.Candidate(id: $0.id, status: $0.status) }, keepLast: keepLast)
            decisions = sets.map { set in
                let (action, reasons) = rules[set.id] ?? (.keep, ["undecided"])
                return RetentionDecision(
                    setId: set.id, createdAt: set.createdAt, status: set.status, action: action, reasons: reasons)
            }
        }
        let deleteIds = decisions.filter { $0.action == .delete }.map(\.setId)
        let orphans =
            countOrphans
            ? try BackupSetDeletion.orphanPayloads(db, deleting: deleteIds, excluding: alreadyDeleted + deleteIds) : []
        let report = RetentionScheduleReport(
            scheduleId: scheduleId, tenantId: schedule["tenant_id"], tenantName: schedule["tenant_name"],
            scheduleName: schedule["name"], keepLast: keepLast, scheduleRemoved: removed, sets: decisions,
            setsDeleted: deleteIds.count, payloadsRemoved: orphans.count,
            bytesFreed: orphans.reduce(0) { $0 + $1.size })
        return Evaluation(report: report, deleteIds: deleteIds)
    }

    /// Decides and deletes inside the caller's write transaction, and audits the application.
    private static func applyOne(_ db: Database, scheduleId: Int64, actor: String, at instant: Date) throws -> RetentionScheduleReport {
        // The deletion finds the orphans itself; finding them twice would double the work.
        let evaluation = try evaluate(db, scheduleId: scheduleId, alreadyDeleted: [], countOrphans: false)
        var report = evaluation.report
        if report.scheduleRemoved { return report }
        let removedPayloads = try BackupSetDeletion.delete(db, setIds: evaluation.deleteIds)
        report.payloadsRemoved = removedPayloads.count
        report.bytesFreed = removedPayloads.reduce(0) { $0 + $1.size }
        try AuditLog.record(
            db, at: instant, actor: actor, tenantId: report.tenantId, action: auditAction,
            resourceType: "backup_schedule", resourceId: String(scheduleId),
            metadata: [
                "keep_last": .int(Int64(report.keepLast)),
                "sets_kept": .int(Int64(report.sets.count - report.setsDeleted)),
                "sets_deleted": .int(Int64(report.setsDeleted)),
                "deleted_set_ids": .array(evaluation.deleteIds.map { .int($0) }),
                "payloads_removed": .int(Int64(report.payloadsRemoved)),
                "bytes_freed": .int(report.bytesFreed),
            ])
        return report
    }
}
