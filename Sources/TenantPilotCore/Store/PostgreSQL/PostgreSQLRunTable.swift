import PostgresNIO

/// Every statement on `backup_schedule_runs`.
struct PostgreSQLRunTable: RunTable {
    let connection: PostgreSQLConnection

    static let columns = """
        id, backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, error_code, error_message,
        backup_set_id, actor, process, host, policies_count, items_count, failed_items_count, skipped_types,
        restore_counts, created_at, started_at, finished_at
        """

    func claimSlot(
        scheduleId: Int64, tenantId: Int64, slot: Instant, trigger: BackupRun.Trigger, retryOf: Int64?, actor: String?,
        process: String, host: String, at instant: Instant
    ) throws -> RunClaim {
        let slot = slot.minute
        if let row = try connection.row(
            """
            INSERT INTO backup_schedule_runs
                (backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, actor, process, host, created_at)
            VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9)
            ON CONFLICT (backup_schedule_id, scheduled_for) DO NOTHING
            RETURNING id
            """, [scheduleId, tenantId, slot, trigger, retryOf, actor, process, host, instant])
        {
            return .claimed(
                BackupRun(
                    id: try row.int64("id"), scheduleId: scheduleId, tenantId: tenantId, scheduledFor: slot,
                    trigger: trigger, retryOf: retryOf, status: .pending, actor: actor, process: process, host: host,
                    createdAt: instant))
        }
        guard
            let existing = try connection.row(
                "SELECT \(Self.columns) FROM backup_schedule_runs WHERE backup_schedule_id = $1 AND scheduled_for = $2",
                [scheduleId, slot]
            ).map(Self.run)
        else {
            throw TenantPilotError.failed("run for schedule \(scheduleId) at \(slot) vanished")
        }
        return .taken(existing)
    }

    func recordSkipped(
        scheduleId: Int64, tenantId: Int64, slot: Instant, code: ErrorCode, message: String, at instant: Instant
    ) throws -> BackupRun? {
        let slot = slot.minute
        guard
            let row = try connection.row(
                """
                INSERT INTO backup_schedule_runs
                    (backup_schedule_id, tenant_id, scheduled_for, trigger, status, error_code, error_message,
                     created_at, started_at, finished_at)
                VALUES ($1, $2, $3, 'scheduled', 'skipped', $4, $5, $6, $6, $6)
                ON CONFLICT (backup_schedule_id, scheduled_for) DO NOTHING
                RETURNING id
                """, [scheduleId, tenantId, slot, code, message, instant])
        else { return nil }
        return BackupRun(
            id: try row.int64("id"), scheduleId: scheduleId, tenantId: tenantId, scheduledFor: slot,
            trigger: .scheduled, status: .skipped, errorCode: code, errorMessage: message, createdAt: instant,
            startedAt: instant, finishedAt: instant)
    }

    func start(_ run: BackupRun, process: String, host: String, at instant: Instant) throws -> BackupRun {
        let changed = try connection.execute(
            """
            UPDATE backup_schedule_runs SET status = 'running', started_at = $1, process = $2, host = $3
            WHERE id = $4 AND status = 'pending'
            """, [instant, process, host, run.rowID])
        guard changed > 0 else {
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
        let changed = try connection.execute(
            """
            UPDATE backup_schedule_runs
            SET status = $1, error_code = $2, error_message = $3, backup_set_id = $4, policies_count = $5,
                items_count = $6, failed_items_count = $7, skipped_types = $8, restore_counts = $9, started_at = $10,
                finished_at = $11
            WHERE id = $12
            """,
            [
                run.status, run.errorCode, run.errorMessage, run.backupSetId, run.policiesCount, run.itemsCount,
                run.failedItemsCount, JSONColumn.text(run.skippedTypes), run.restoreCounts.map(JSONColumn.text),
                run.startedAt, run.finishedAt, run.rowID,
            ])
        guard changed > 0 else { throw TenantPilotError.failed("run \(run.rowID) vanished") }
    }

    func insertUnscheduled(_ run: BackupRun) throws -> BackupRun {
        guard run.scheduleId == nil else {
            throw TenantPilotError.failed("a run of schedule \(run.scheduleId ?? 0) has a slot to claim")
        }
        var inserted = run
        let row = try connection.row(
            """
            INSERT INTO backup_schedule_runs
                (backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, error_code, error_message,
                 backup_set_id, actor, process, host, policies_count, items_count, failed_items_count, skipped_types,
                 restore_counts, created_at, started_at, finished_at)
            VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            RETURNING id
            """,
            [
                run.tenantId, run.scheduledFor, run.trigger, run.retryOf, run.status, run.errorCode, run.errorMessage,
                run.backupSetId, run.actor, run.process, run.host, run.policiesCount, run.itemsCount,
                run.failedItemsCount, JSONColumn.text(run.skippedTypes), run.restoreCounts.map(JSONColumn.text),
                run.createdAt, run.startedAt, run.finishedAt,
            ])
        inserted.id = try row?.int64("id")
        return inserted
    }

    func abandon(_ id: Int64, message: String, at instant: Instant) throws {
        try connection.execute(
            """
            UPDATE backup_schedule_runs
            SET status = 'failed', error_code = $1, error_message = $2, finished_at = $3,
                backup_set_id = CASE WHEN trigger = 'restore' THEN backup_set_id END
            WHERE id = $4
            """, [ErrorCode.abandoned, message, instant, id])
    }

    /// Through the partial index `backup_schedule_runs_unfinished`.
    func unfinished() throws -> [BackupRun] {
        try connection.rows(
            "SELECT \(Self.columns) FROM backup_schedule_runs WHERE status IN ('pending', 'running') ORDER BY id"
        ).map(Self.run)
    }

    func find(id: Int64) throws -> BackupRun? {
        try connection.row("SELECT \(Self.columns) FROM backup_schedule_runs WHERE id = $1", [id]).map(Self.run)
    }

    func ids(ofTenant tenantId: Int64) throws -> [Int64] {
        try connection.rows("SELECT id FROM backup_schedule_runs WHERE tenant_id = $1 ORDER BY id", [tenantId]).map {
            try $0.int64("id")
        }
    }

    /// One statement: a retry and the run it retries go together (the foreign key of `retry_of`
    /// is checked at the end of the statement).
    func delete(_ ids: [Int64]) throws {
        if ids.isEmpty { return }
        try connection.execute("DELETE FROM backup_schedule_runs WHERE id = ANY($1)", [ids])
    }

    func forgetBackupSets(_ setIds: [Int64]) throws {
        if setIds.isEmpty { return }
        try connection.execute(
            "UPDATE backup_schedule_runs SET backup_set_id = NULL WHERE backup_set_id = ANY($1)", [setIds])
    }

    func list(scheduleId: Int64?, tenantId: Int64?, status: BackupRun.Status?, since: Instant?, limit: Int) throws
        -> [BackupRun]
    {
        var conditions: [String] = []
        var values: [any PostgreSQLValue] = []
        if let scheduleId {
            values.append(scheduleId)
            conditions.append("backup_schedule_id = $\(values.count)")
        }
        if let tenantId {
            values.append(tenantId)
            conditions.append("tenant_id = $\(values.count)")
        }
        if let status {
            values.append(status)
            conditions.append("status = $\(values.count)")
        }
        if let since {
            values.append(since)
            conditions.append("scheduled_for >= $\(values.count)")
        }
        values.append(limit)
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try connection.rows(
            "SELECT \(Self.columns) FROM backup_schedule_runs\(filter) ORDER BY id DESC LIMIT $\(values.count)", values
        ).map(Self.run)
    }

    static func run(_ row: PostgresRandomAccessRow) throws -> BackupRun {
        BackupRun(
            id: try row.int64("id"), scheduleId: try row.optionalInt64("backup_schedule_id"),
            tenantId: try row.int64("tenant_id"), scheduledFor: try row.instant("scheduled_for"),
            trigger: try row.code("trigger"), retryOf: try row.optionalInt64("retry_of"),
            status: try row.code("status"),
            errorCode: try row.optionalString("error_code").map(ErrorCode.init(rawValue:)),
            errorMessage: try row.optionalString("error_message"), backupSetId: try row.optionalInt64("backup_set_id"),
            actor: try row.optionalString("actor"), process: try row.optionalString("process"),
            policiesCount: try row.int("policies_count"), itemsCount: try row.int("items_count"),
            failedItemsCount: try row.int("failed_items_count"),
            skippedTypes: JSONColumn.strings(try row.string("skipped_types")),
            restoreCounts: JSONColumn.restoreCounts(try row.optionalString("restore_counts")),
            host: try row.optionalString("host"), createdAt: try row.instant("created_at"),
            startedAt: try row.optionalInstant("started_at"), finishedAt: try row.optionalInstant("finished_at"))
    }
}

// MARK: - Monitoring

extension PostgreSQLRunTable {
    /// Runs of enabled schedules, one per schedule, picked by a subquery on the schedule's
    /// UNIQUE (backup_schedule_id, scheduled_for) index: the cost grows with the schedules, not
    /// with their history.
    private func latestOfEnabledSchedules(where condition: String) throws -> [Int64: BackupRun] {
        let runs = try connection.rows(
            """
            SELECT \(Self.columns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM backup_schedules sc
            JOIN backup_schedule_runs r ON r.id = (
                SELECT id FROM backup_schedule_runs
                WHERE backup_schedule_id = sc.id AND \(condition)
                ORDER BY scheduled_for DESC LIMIT 1)
            WHERE sc.enabled AND sc.removed_at IS NULL
            """
        ).map(Self.run)
        return Dictionary(runs.compactMap { run in run.scheduleId.map { ($0, run) } }) { first, _ in first }
    }

    func latestEndedOfEnabledSchedules() throws -> [Int64: BackupRun] {
        try latestOfEnabledSchedules(where: "status IN ('success', 'partial', 'failed', 'skipped')")
    }

    func latestSuccessOfEnabledSchedules() throws -> [Int64: BackupRun] {
        try latestOfEnabledSchedules(where: "status = 'success'")
    }

    func endedCountsOfEnabledSchedules() throws -> [Int64: [BackupRun.Status: Int]] {
        let rows = try connection.rows(
            """
            SELECT r.backup_schedule_id AS schedule_id, r.status AS status, count(*) AS runs
            FROM backup_schedule_runs r
            JOIN backup_schedules sc ON sc.id = r.backup_schedule_id
            WHERE sc.enabled AND sc.removed_at IS NULL
                AND r.status IN ('success', 'partial', 'failed', 'skipped')
            GROUP BY r.backup_schedule_id, r.status
            """)
        var counts: [Int64: [BackupRun.Status: Int]] = [:]
        for row in rows {
            let status: BackupRun.Status = try row.code("status")
            counts[try row.int64("schedule_id"), default: [:]][status] = try row.int("runs")
        }
        return counts
    }
}
