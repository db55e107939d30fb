import GRDB

/// Every statement on `backup_schedule_runs`.
struct SQLiteRunTable: RunTable {
    let db: Database
    /// In a bulk deletion, forgetting most sets names the runs to leave alone instead.
    var bulk: SQLiteBulkDeletion.Scope?
    typealias Columns = BackupRun.Columns

    func claimSlot(
        scheduleId: Int64, tenantId: Int64, slot: Instant, trigger: BackupRun.Trigger, retryOf: Int64?, actor: String?,
        process: String, host: String, at instant: Instant
    ) throws -> RunClaim {
        let slot = slot.minute
        try db.execute(
            sql: """
                INSERT INTO backup_schedule_runs
                    (backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, actor, process, host,
                     created_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                ON CONFLICT (backup_schedule_id, scheduled_for) DO NOTHING
                """,
            arguments: [scheduleId, tenantId, slot, trigger, retryOf, actor, process, host, instant])
        if db.changesCount > 0 {
            return .claimed(
                BackupRun(
                    id: db.lastInsertedRowID, scheduleId: scheduleId, tenantId: tenantId, scheduledFor: slot,
                    trigger: trigger,
                    retryOf: retryOf, status: .pending, actor: actor, process: process, host: host, createdAt: instant))
        }
        guard
            let existing = try BackupRun.filter(Columns.scheduleId == scheduleId && Columns.scheduledFor == slot)
                .fetchOne(db)
        else {
            throw TenantPilotError.failed("run for schedule \(scheduleId) at \(slot) vanished")
        }
        return .taken(existing)
    }

    func recordSkipped(
        scheduleId: Int64, tenantId: Int64, slot: Instant, code: ErrorCode, message: String, at instant: Instant
    ) throws -> BackupRun? {
        let slot = slot.minute
        try db.execute(
            sql: """
                INSERT INTO backup_schedule_runs
                    (backup_schedule_id, tenant_id, scheduled_for, trigger, status, error_code, error_message,
                     created_at, started_at, finished_at)
                VALUES (?, ?, ?, 'scheduled', 'skipped', ?, ?, ?, ?, ?)
                ON CONFLICT (backup_schedule_id, scheduled_for) DO NOTHING
                """,
            arguments: [scheduleId, tenantId, slot, code, message, instant, instant, instant])
        guard db.changesCount > 0 else { return nil }
        return BackupRun(
            id: db.lastInsertedRowID, scheduleId: scheduleId, tenantId: tenantId, scheduledFor: slot,
            trigger: .scheduled,
            status: .skipped, errorCode: code, errorMessage: message, createdAt: instant, startedAt: instant,
            finishedAt: instant)
    }

    func start(_ run: BackupRun, process: String, host: String, at instant: Instant) throws -> BackupRun {
        try db.execute(
            sql: """
                UPDATE backup_schedule_runs SET status = 'running', started_at = ?, process = ?, host = ?
                WHERE id = ? AND status = 'pending'
                """,
            arguments: [instant, process, host, run.id])
        guard db.changesCount > 0 else {
            throw TenantPilotError.failed("run \(run.rowID) is no longer pending (marked abandoned?)")
        }
        var started = run
        started.status = .running
        started.startedAt = instant
        started.process = process
        started.host = host
        return started
    }

    func finish(_ run: BackupRun) throws {
        try db.execute(
            sql: """
                UPDATE backup_schedule_runs
                SET status = ?, error_code = ?, error_message = ?, backup_set_id = ?, policies_count = ?, items_count = ?,
                    failed_items_count = ?, skipped_types = ?, restore_counts = ?, started_at = ?, finished_at = ?
                WHERE id = ?
                """,
            arguments: [
                run.status, run.errorCode, run.errorMessage, run.backupSetId, run.policiesCount, run.itemsCount,
                run.failedItemsCount, JSONColumn.text(run.skippedTypes), run.restoreCounts.map(JSONColumn.text),
                run.startedAt,
                run.finishedAt, run.id,
            ])
        guard db.changesCount > 0 else { throw TenantPilotError.failed("run \(run.rowID) vanished") }
    }

    func insertUnscheduled(_ run: BackupRun) throws -> BackupRun {
        guard run.scheduleId == nil else {
            throw TenantPilotError.failed("a run of schedule \(run.scheduleId ?? 0) has a slot to claim")
        }
        var inserted = run
        try inserted.insert(db)
        return inserted
    }

    func abandon(_ id: Int64, message: String, at instant: Instant) throws {
        try db.execute(
            sql: """
                UPDATE backup_schedule_runs
                SET status = 'failed', error_code = ?, error_message = ?, finished_at = ?,
                    backup_set_id = CASE WHEN trigger = 'restore' THEN backup_set_id END
                WHERE id = ?
                """,
            arguments: [ErrorCode.abandoned, message, instant, id])
    }

    func unfinished() throws -> [BackupRun] {
        try BackupRun.filter([BackupRun.Status.pending, .running].contains(Columns.status)).fetchAll(db)
    }

    func find(id: Int64) throws -> BackupRun? {
        try BackupRun.fetchOne(db, key: id)
    }

    func ids(ofTenant tenantId: Int64) throws -> [Int64] {
        try Int64.fetchAll(
            db, sql: "SELECT id FROM backup_schedule_runs WHERE tenant_id = ? ORDER BY id", arguments: [tenantId])
    }

    func delete(_ ids: [Int64]) throws {
        if ids.isEmpty { return }
        // One statement: a retry and the run it retries go together (the foreign key of
        // `retry_of` is checked at the end of the statement).
        try db.execute(
            sql: "DELETE FROM backup_schedule_runs WHERE id IN (SELECT value FROM json_each(?))",
            arguments: [SQLiteIds.json(ids)])
    }

    func forgetBackupSets(_ setIds: [Int64]) throws {
        if setIds.isEmpty { return }
        // In a bulk deletion of most sets, the few that stay name the runs left alone.
        if let bulk, let survivors = try bulk.survivingSets(db, doomed: setIds.sorted()) {
            try db.execute(
                sql: """
                    UPDATE backup_schedule_runs SET backup_set_id = NULL
                    WHERE backup_set_id IS NOT NULL AND backup_set_id NOT IN (SELECT value FROM json_each(?))
                    """,
                arguments: [SQLiteIds.json(survivors)])
            return
        }
        try db.cachedStatement(
            sql:
                "UPDATE backup_schedule_runs SET backup_set_id = NULL WHERE backup_set_id IN (SELECT value FROM json_each(?))"
        ).execute(arguments: [SQLiteIds.json(setIds)])
    }

    func list(scheduleId: Int64?, tenantId: Int64?, status: BackupRun.Status?, since: Instant?, limit: Int) throws
        -> [BackupRun]
    {
        var request = BackupRun.order(Columns.id.desc).limit(limit)
        if let scheduleId { request = request.filter(Columns.scheduleId == scheduleId) }
        if let tenantId { request = request.filter(Columns.tenantId == tenantId) }
        if let status { request = request.filter(Columns.status == status) }
        if let since { request = request.filter(Columns.scheduledFor >= since) }
        return try request.fetchAll(db)
    }
}

// MARK: - Monitoring

extension SQLiteRunTable {
    /// Runs of enabled schedules, one per schedule, picked by a subquery on the schedule's
    /// UNIQUE (backup_schedule_id, scheduled_for) index: the cost grows with the schedules, not
    /// with their history.
    private func latestOfEnabledSchedules(where condition: String) throws -> [Int64: BackupRun] {
        let runs = try BackupRun.fetchAll(
            db,
            sql: """
                SELECT r.* FROM backup_schedules sc
                JOIN backup_schedule_runs r ON r.id = (
                    SELECT id FROM backup_schedule_runs
                    WHERE backup_schedule_id = sc.id AND \(condition)
                    ORDER BY scheduled_for DESC LIMIT 1)
                WHERE sc.enabled = 1 AND sc.removed_at IS NULL
                """)
        return Dictionary(runs.compactMap { run in run.scheduleId.map { ($0, run) } }) { first, _ in first }
    }

    func latestEndedOfEnabledSchedules() throws -> [Int64: BackupRun] {
        try latestOfEnabledSchedules(where: "status IN ('success', 'partial', 'failed', 'skipped')")
    }

    func latestSuccessOfEnabledSchedules() throws -> [Int64: BackupRun] {
        try latestOfEnabledSchedules(where: "status = 'success'")
    }

    func endedCountsOfEnabledSchedules() throws -> [Int64: [BackupRun.Status: Int]] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.backup_schedule_id AS schedule_id, r.status AS status, COUNT(*) AS runs
                FROM backup_schedule_runs r
                JOIN backup_schedules sc ON sc.id = r.backup_schedule_id
                WHERE sc.enabled = 1 AND sc.removed_at IS NULL
                    AND r.status IN ('success', 'partial', 'failed', 'skipped')
                GROUP BY r.backup_schedule_id, r.status
                """)
        var counts: [Int64: [BackupRun.Status: Int]] = [:]
        for row in rows {
            let status: BackupRun.Status = try row.decode(forColumn: "status")
            counts[try row.decode(forColumn: "schedule_id"), default: [:]][status] = try row.decode(forColumn: "runs")
        }
        return counts
    }
}

extension BackupRun: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "backup_schedule_runs"

    public enum Columns {
        public static let id = Column("id")
        public static let scheduleId = Column("backup_schedule_id")
        public static let tenantId = Column("tenant_id")
        public static let scheduledFor = Column("scheduled_for")
        public static let trigger = Column("trigger")
        public static let retryOf = Column("retry_of")
        public static let status = Column("status")
        public static let errorCode = Column("error_code")
        public static let errorMessage = Column("error_message")
        public static let backupSetId = Column("backup_set_id")
        public static let actor = Column("actor")
        public static let process = Column("process")
        public static let policiesCount = Column("policies_count")
        public static let itemsCount = Column("items_count")
        public static let failedItemsCount = Column("failed_items_count")
        public static let skippedTypes = Column("skipped_types")
        public static let restoreCounts = Column("restore_counts")
        public static let host = Column("host")
        public static let createdAt = Column("created_at")
        public static let startedAt = Column("started_at")
        public static let finishedAt = Column("finished_at")
    }

    public init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: Columns.id), scheduleId: try row.decode(forColumn: Columns.scheduleId),
            tenantId: try row.decode(forColumn: Columns.tenantId),
            scheduledFor: try row.decode(forColumn: Columns.scheduledFor),
            trigger: try row.decode(forColumn: Columns.trigger), retryOf: try row.decode(forColumn: Columns.retryOf),
            status: try row.decode(forColumn: Columns.status), errorCode: try row.decode(forColumn: Columns.errorCode),
            errorMessage: try row.decode(forColumn: Columns.errorMessage),
            backupSetId: try row.decode(forColumn: Columns.backupSetId),
            actor: try row.decode(forColumn: Columns.actor),
            process: try row.decode(forColumn: Columns.process),
            policiesCount: try row.decode(forColumn: Columns.policiesCount),
            itemsCount: try row.decode(forColumn: Columns.itemsCount),
            failedItemsCount: try row.decode(forColumn: Columns.failedItemsCount),
            skippedTypes: JSONColumn.strings(try row.decode(forColumn: Columns.skippedTypes)),
            restoreCounts: JSONColumn.restoreCounts(try row.decode(forColumn: Columns.restoreCounts)),
            host: try row.decode(forColumn: Columns.host),
            createdAt: try row.decode(forColumn: Columns.createdAt),
            startedAt: try row.decode(forColumn: Columns.startedAt),
            finishedAt: try row.decode(forColumn: Columns.finishedAt))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.scheduleId] = scheduleId
        container[Columns.tenantId] = tenantId
        container[Columns.scheduledFor] = scheduledFor
        container[Columns.trigger] = trigger
        container[Columns.retryOf] = retryOf
        container[Columns.status] = status
        container[Columns.errorCode] = errorCode
        container[Columns.errorMessage] = errorMessage
        container[Columns.backupSetId] = backupSetId
        container[Columns.actor] = actor
        container[Columns.process] = process
        container[Columns.policiesCount] = policiesCount
        container[Columns.itemsCount] = itemsCount
        container[Columns.failedItemsCount] = failedItemsCount
        container[Columns.skippedTypes] = JSONColumn.text(skippedTypes)
        container[Columns.restoreCounts] = restoreCounts.map(JSONColumn.text)
        container[Columns.host] = host
        container[Columns.createdAt] = createdAt
        container[Columns.startedAt] = startedAt
        container[Columns.finishedAt] = finishedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
