import Foundation

/// Applies retention (docs/retention.md), scoped, explainable and safe:
///
/// - **Scoped**: a schedule only ever deletes sets that it created
///   (`backup_sets.backup_schedule_id`); sets of other schedules and sets made by hand
///   (no schedule) are never looked at. Sets still `building` are never touched.
/// - **Explainable**: every finished set of the schedule is reported as kept or deleted with
///   the rule that decided it (`RetentionRules`).
/// - **Safe**: the schedule's newest `complete` set is never deleted; "newest" is counted in
///   sets (highest id), never in days or by a clock. Each schedule is applied whole inside one
///   write transaction (items, sets, orphan payloads and the audit entry together), so a process
///   killed mid-way leaves each schedule in its old state or its new one. A dry run only reads.
///
/// Consecutive schedules share a write transaction until it has deleted `setsPerTransaction`
/// sets: a schedule's sets lie on pages with the sets other schedules took the same day, and a
/// transaction per schedule would write each such page once per schedule on it. When the rules
/// are bound to delete most of the store's sets (the first application to a long history), every
/// schedule goes in one bulk deletion instead, which keeps the sets that stay rather than
/// deleting the others row by row (`Store.bulkDeletionWrite`).
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
    /// Sets deleted after which a write transaction takes no further schedule (a schedule is
    /// never split: one that deletes more has a transaction of its own).
    public let setsPerTransaction: Int

    /// When an application deletes through one bulk deletion (`Store.bulkDeletionWrite`).
    public let bulkDeletion: BulkDeletion

    /// When an application deletes through one bulk deletion rather than transactions of
    /// `setsPerTransaction` sets.
    public enum BulkDeletion: Sendable {
        /// When the rules are bound to delete most of the store's sets (`RetentionCensus`), and
        /// the store is not shared.
        case whenMostSetsGo
        /// Always (tests: the bulk path with few sets).
        case always
        /// Never (tests and benchmarks: the row-by-row path with many).
        case never
    }

    /// The audit action written once per schedule applied.
    public static let auditAction = AuditAction.retentionApplied

    public init(
        store: Store, vacuumStepPages: Int = 128, setsPerTransaction: Int = 50_000,
        bulkDeletion: BulkDeletion = .whenMostSetsGo
    ) {
        self.store = store
        self.vacuumStepPages = max(1, vacuumStepPages)
        self.setsPerTransaction = max(1, setsPerTransaction)
        self.bulkDeletion = bulkDeletion
    }

    /// Applies retention to one schedule, or with `scheduleId` nil to every schedule that is not
    /// removed (enabled or disabled), in id order.
    ///
    /// A removed schedule named explicitly is reported with every set kept ("schedule removed"):
    /// removing a schedule never deletes backups, and nothing is applied or audited for it.
    /// With `dryRun`, nothing at all is written (no deletion, no audit entry, no vacuum); the
    /// report says what a real run would do at this moment.
    /// Throws `NOT_FOUND` (exit 2) for an unknown schedule id.
    public func apply(scheduleId: Int64?, dryRun: Bool, actor: String, at instant: Date) async throws(TenantPilotError)
        -> RetentionReport
    {
        let scheduleIds = try await scheduleIdsToApply(scheduleId)
        var reports: [RetentionScheduleReport] = []
        if dryRun {
            reports = try await planAll(scheduleIds)
        } else {
            let bulk = try await deletesMostSets(scheduleIds)
            while reports.count < scheduleIds.count {
                let batch = try await applyBatch(
                    Array(scheduleIds[reports.count...]), bulk: bulk, actor: actor, at: instant)
                reports += batch.reports
                if let failure = batch.failure { throw failure }
            }
        }
        var pages = 0
        if !dryRun, reports.contains(where: { $0.setsDeleted > 0 }) {
            pages = try await reclaimSpace()
        }
        return RetentionReport(dryRun: dryRun, schedules: reports, pagesReclaimed: pages)
    }

    /// Gives free pages back to the file system in steps of `vacuumStepPages`, each its own
    /// short write transaction, until none are left. Returns the number of pages reclaimed.
    /// Does nothing on a file made without `auto_vacuum = INCREMENTAL`.
    @discardableResult
    public func reclaimSpace(maxSteps: Int = 1_000_000) async throws(TenantPilotError) -> Int {
        try await store.releaseFreePages(stepPages: vacuumStepPages, maxSteps: maxSteps)
    }

    // MARK: - Schedules in one transaction

    /// What a real application to `scheduleIds` would do, from one snapshot of the store.
    private func planAll(_ scheduleIds: [Int64]) async throws(TenantPilotError) -> [RetentionScheduleReport] {
        let store = store
        return try await store.read("plan retention") { tx in
            // Sets that an earlier schedule would delete still exist; the ledger counts them as
            // gone, so the orphan payloads match what a real run, schedule after schedule, finds.
            var ledger = RetentionOrphanLedger()
            var reports: [RetentionScheduleReport] = []
            for id in scheduleIds {
                let report: RetentionScheduleReport
                do {
                    report = try Self.evaluate(tx, scheduleId: id, countingOrphansIn: &ledger).report
                } catch let error as TenantPilotError {
                    throw error
                } catch {
                    throw TenantPilotError.failed(
                        "cannot plan retention of schedule \(id): \(store.describe(error))", code: .storeUnavailable)
                }
                reports.append(report)
            }
            return reports
        }
    }

    private struct Batch: Sendable {
        var reports: [RetentionScheduleReport]
        /// Why the schedule after the last one reported was not applied.
        var failure: TenantPilotError?
    }

    /// Applies the first of `scheduleIds` and the ones after it, in one write transaction, until
    /// `setsPerTransaction` sets are deleted. Every schedule is decided first (reads only); a
    /// schedule that cannot be decided (an unknown zone, say) ends the batch and the
    /// application, and the ones before it are applied and committed, as if each had had its own
    /// transaction. Then the decided schedules are carried out together (`carryOut`): the items
    /// of all their sets, the orphans, the runs' references and the set rows each go in one
    /// statement, and each schedule gets its audit entry. A failure of the store itself (reading
    /// or writing) undoes the whole transaction: none of its schedules is applied.
    ///
    /// No savepoint per schedule: SQLite copies each page a savepoint first changes into its
    /// statement journal, and a schedule's sets lie on pages of their own day, so a savepoint per
    /// schedule copied hundreds of pages per schedule.
    ///
    /// With `bulk`, every schedule goes in one bulk deletion (`Store.bulkDeletionWrite`), whose
    /// work grows with the sets that stay rather than with those deleted.
    private func applyBatch(_ scheduleIds: [Int64], bulk: Bool, actor: String, at instant: Date)
        async throws(TenantPilotError) -> Batch
    {
        let limit = bulk ? Int.max : setsPerTransaction
        let action = "apply retention to schedule \(scheduleIds.first ?? 0)"
        let body: @Sendable (any StoreTransaction) throws -> Batch = { tx in
            var batch = Batch(reports: [], failure: nil)
            var decided: [Evaluation] = []
            var deleting = 0
            for id in scheduleIds where deleting < limit {
                do {
                    let evaluation = try Self.evaluate(tx, scheduleId: id)
                    deleting += evaluation.deleteIds.count
                    decided.append(evaluation)
                } catch let error as TenantPilotError {
                    // A schedule that cannot be decided (its zone, its data): the transaction is
                    // sound, and the schedules before it are applied.
                    batch.failure = error
                    break
                }
                // A failure of the store itself propagates and undoes the whole transaction (on
                // PostgreSQL a failed statement leaves it aborted; a savepoint per decision cost
                // more than the decision on SQLite).
            }
            batch.reports = try Self.carryOut(decided, tx, actor: actor, at: instant)
            return batch
        }
        return bulk ? try await store.bulkDeletionWrite(action, body) : try await store.write(action, body)
    }

    /// Whether applying retention to `scheduleIds` is bound to delete most of the store's sets
    /// (`RetentionCensus`): then one bulk deletion does it many times faster. Never on a shared
    /// store (PostgreSQL), whose transactions stay short because other hosts' runs wait on the
    /// rows they lock.
    private func deletesMostSets(_ scheduleIds: [Int64]) async throws(TenantPilotError) -> Bool {
        switch bulkDeletion {
        case .always: return true
        case .never: return false
        case .whenMostSetsGo: if store.isShared { return false }
        }
        return try await store.read("count the backup sets") { tx in
            var policies: [Int64: RetentionPolicy] = [:]
            for id in scheduleIds {
                guard let subject = try tx.schedules.retentionSubject(id: id), !subject.removed else { continue }
                policies[id] = subject.policy
            }
            return try tx.backupSets.retentionCensus().deletesMost(under: policies)
        }
    }

    // MARK: - One schedule

    private struct Evaluation {
        var report: RetentionScheduleReport
        var deleteIds: [Int64]
    }

    private func scheduleIdsToApply(_ scheduleId: Int64?) async throws(TenantPilotError) -> [Int64] {
        try await store.read("read schedules") { tx in
            if let scheduleId {
                guard try tx.schedules.exists(id: scheduleId) else {
                    throw TenantPilotError.notFound(
                        "no schedule with id \(scheduleId); see `tenantpilot schedules list`")
                }
                return [scheduleId]
            }
            return try tx.schedules.activeIds()
        }
    }

    /// Decides for every finished set of the schedule; reads only. The report's payload counts
    /// come from `ledger`, which plans the deletion after those planned before it; without one
    /// they are left at zero for the caller that deletes (and counts) them.
    private static func evaluate(
        _ tx: any StoreTransaction, scheduleId: Int64, countingOrphansIn ledger: inout RetentionOrphanLedger
    ) throws -> Evaluation {
        var evaluation = try evaluate(tx, scheduleId: scheduleId)
        let orphans = try ledger.plan(deleting: evaluation.deleteIds, tx.backupItems)
        evaluation.report.payloadsRemoved = orphans.count
        evaluation.report.bytesFreed = orphans.reduce(0) { $0 + $1.size }
        return evaluation
    }

    private static func evaluate(_ tx: any StoreTransaction, scheduleId: Int64) throws -> Evaluation {
        guard let subject = try tx.schedules.retentionSubject(id: scheduleId) else {
            throw TenantPilotError.notFound("no schedule with id \(scheduleId); see `tenantpilot schedules list`")
        }
        let sets = try tx.backupSets.retentionCandidates(ofSchedule: scheduleId)
        let decisions: [RetentionDecision]
        if subject.removed {
            decisions = sets.map {
                RetentionDecision(
                    setId: $0.id, createdAt: $0.createdAt, status: $0.status, action: .keep,
                    reasons: ["schedule removed: its sets are kept"], rules: ["schedule_removed"])
            }
        } else {
            // Only the calendar rules need the zone: a keep-last schedule is pruned even when its
            // zone is no longer known.
            let zone =
                subject.policy.calendarRules.isEmpty
                ? RetentionRules.utc : try ScheduleZone.resolve(subject.timezone)
            let verdicts = RetentionRules.decide(sets: sets, policy: subject.policy, zone: zone)
            decisions = sets.map { set in
                let verdict =
                    verdicts[set.id] ?? RetentionRules.Verdict(action: .keep, keepers: [], reasons: ["undecided"])
                return RetentionDecision(
                    setId: set.id, createdAt: set.createdAt, status: set.status, action: verdict.action,
                    reasons: verdict.reasons, rules: verdict.keepers.map(\.key))
            }
        }
        let deleteIds = decisions.filter { $0.action == .delete }.map(\.setId)
        let report = RetentionScheduleReport(
            scheduleId: scheduleId, tenantId: subject.tenantId, tenantName: subject.tenantName,
            scheduleName: subject.scheduleName, policy: subject.policy, timezone: subject.timezone,
            scheduleRemoved: subject.removed,
            sets: decisions, setsDeleted: deleteIds.count, payloadsRemoved: 0, bytesFreed: 0)
        return Evaluation(report: report, deleteIds: deleteIds)
    }

    /// What retention of the schedule would do now, inside the caller's transaction; reads only.
    static func plan(_ tx: any StoreTransaction, scheduleId: Int64) throws -> RetentionScheduleReport {
        var ledger = RetentionOrphanLedger()
        return try evaluate(tx, scheduleId: scheduleId, countingOrphansIn: &ledger).report
    }

    /// Decides and deletes inside the caller's write transaction, and audits the application.
    /// The run engine calls it inside the transaction that ends a run.
    static func applyOne(_ tx: any StoreTransaction, scheduleId: Int64, actor: String, at instant: Date) throws
        -> RetentionScheduleReport
    {
        // The deletion finds the orphans itself; finding them twice would double the work.
        let evaluation = try evaluate(tx, scheduleId: scheduleId)
        return try carryOut([evaluation], tx, actor: actor, at: instant)[0]
    }

    /// Carries out decisions, in their order, and audits each application; a removed
    /// schedule's decision keeps everything and is not audited. The sets of all of them are
    /// emptied together and then their rows deleted, one statement each
    /// (`BackupSetDeletion.emptySets(_:groups:)`); each report and audit entry names the orphan
    /// payloads that its schedule's deletion removed, as if the schedules had been carried out
    /// one after the other.
    private static func carryOut(
        _ evaluations: [Evaluation], _ tx: any StoreTransaction, actor: String, at instant: Date
    ) throws -> [RetentionScheduleReport] {
        let applied = evaluations.filter { !$0.report.scheduleRemoved }
        let removedPayloads = try BackupSetDeletion.emptySets(tx, groups: applied.map(\.deleteIds))
        var payloadsOfSchedule: [Int64: [BackupGarbage.Payload]] = [:]
        for (evaluation, payloads) in zip(applied, removedPayloads) {
            payloadsOfSchedule[evaluation.report.scheduleId] = payloads
        }
        var reports: [RetentionScheduleReport] = []
        for evaluation in evaluations {
            var report = evaluation.report
            if let payloads = payloadsOfSchedule[report.scheduleId] {
                report.payloadsRemoved = payloads.count
                report.bytesFreed = payloads.reduce(0) { $0 + $1.size }
                try audit(report, deleting: evaluation.deleteIds, tx, actor: actor, at: instant)
            }
            reports.append(report)
        }
        try BackupSetDeletion.deleteEmptied(tx, setIds: applied.flatMap(\.deleteIds))
        return reports
    }

    /// The audit entry of one schedule's application.
    private static func audit(
        _ report: RetentionScheduleReport, deleting setIds: [Int64], _ tx: any StoreTransaction, actor: String,
        at instant: Date
    ) throws {
        try tx.audit.record(
            at: instant, actor: actor, tenantId: report.tenantId, action: auditAction, resource: .schedule,
            resourceId: String(report.scheduleId),
            metadata: [
                "keep_last": report.keepLast.map { .int(Int64($0)) } ?? .null,
                "keep_daily": report.policy.keepDaily.map { .int(Int64($0)) } ?? .null,
                "keep_weekly": report.policy.keepWeekly.map { .int(Int64($0)) } ?? .null,
                "keep_monthly": report.policy.keepMonthly.map { .int(Int64($0)) } ?? .null,
                "keep_yearly": report.policy.keepYearly.map { .int(Int64($0)) } ?? .null,
                "sets_kept": .int(Int64(report.sets.count - report.setsDeleted)),
                "sets_deleted": .int(Int64(report.setsDeleted)),
                "deleted_set_ids": .array(setIds.map { .int($0) }),
                "payloads_removed": .int(Int64(report.payloadsRemoved)),
                "bytes_freed": .int(report.bytesFreed),
            ])
    }
}
