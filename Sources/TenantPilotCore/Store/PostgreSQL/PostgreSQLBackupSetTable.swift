import PostgresNIO

/// Every statement on `backup_sets`. Listings join `tenants` and `backup_schedules` only to
/// read the names they show.
///
/// In a write transaction the sets whose status decides a write — the one items are added to
/// or that is completed, the `building` ones about to be discarded, those retention weighs, one
/// being pinned or deleted — are locked `FOR UPDATE`, so a capture and a discard of one set, or
/// a pin and retention, never overlap: the later sees what the earlier did.
struct PostgreSQLBackupSetTable: BackupSetTable {
    let connection: PostgreSQLConnection
    /// Whether the rows read for a decision are locked (a write transaction).
    let locksRows: Bool

    private var forUpdate: String { locksRows ? " FOR UPDATE" : "" }

    func begin(tenantId: Int64, scheduleId: Int64?, runId: Int64?, at instant: Instant) throws -> Int64 {
        guard
            let row = try connection.row(
                """
                INSERT INTO backup_sets (tenant_id, backup_schedule_id, run_id, status, item_count, created_at)
                VALUES ($1, $2, $3, 'building', 0, $4)
                RETURNING id
                """, [tenantId, scheduleId, runId, instant])
        else { throw TenantPilotError.failed("a new backup set got no id") }
        return try row.int64("id")
    }

    func status(of id: Int64) throws -> BackupSetStatus? {
        try connection.row("SELECT status FROM backup_sets WHERE id = $1" + forUpdate, [id]).map {
            try $0.code("status")
        }
    }

    func complete(_ id: Int64, as outcome: BackupSetOutcome, at instant: Instant) throws {
        try connection.execute(
            """
            UPDATE backup_sets
            SET status = $1, completed_at = $2,
                item_count = (SELECT count(*) FROM backup_items WHERE backup_set_id = $3)
            WHERE id = $3
            """, [outcome, instant, id])
    }

    func building(createdBefore instant: Instant) throws -> [Int64] {
        try connection.rows(
            "SELECT id FROM backup_sets WHERE status = 'building' AND created_at < $1 ORDER BY id" + forUpdate,
            [instant]
        ).map { try $0.int64("id") }
    }

    func building(ofRuns runIds: [Int64]) throws -> [Int64] {
        if runIds.isEmpty { return [] }
        return try connection.rows(
            "SELECT id FROM backup_sets WHERE status = 'building' AND run_id = ANY($1) ORDER BY id" + forUpdate,
            [runIds]
        ).map { try $0.int64("id") }
    }

    func delete(_ ids: [Int64]) throws {
        if ids.isEmpty { return }
        try connection.execute("DELETE FROM backup_sets WHERE id = ANY($1)", [ids])
    }

    func finished(tenantId: Int64?, scheduleId: Int64?, limit: Int?) throws -> [BackupSetSummary] {
        var conditions = ["s.status IN ('complete', 'partial')"]
        var values: [any PostgreSQLValue] = []
        if let tenantId {
            values.append(tenantId)
            conditions.append("s.tenant_id = $\(values.count)")
        }
        if let scheduleId {
            values.append(scheduleId)
            conditions.append("s.backup_schedule_id = $\(values.count)")
        }
        var sql = Self.summarySelect + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY s.id DESC"
        if let limit {
            values.append(limit)
            sql += " LIMIT $\(values.count)"
        }
        return try connection.rows(sql, values).map(Self.summary)
    }

    func finished(id: Int64) throws -> BackupSetSummary? {
        try connection.row(Self.summarySelect + " WHERE s.id = $1 AND s.status IN ('complete', 'partial')", [id])
            .map(Self.summary)
    }

    func retentionCandidates(ofSchedule scheduleId: Int64) throws -> [RetentionRules.Candidate] {
        try connection.rows(
            """
            SELECT id, status, created_at, pinned_at IS NOT NULL AS pinned FROM backup_sets
            WHERE backup_schedule_id = $1 AND status IN ('complete', 'partial')
            ORDER BY id DESC
            """ + forUpdate, [scheduleId]
        ).map { row in
            let id = try row.int64("id")
            let statusText = try row.string("status")
            guard let status = BackupSetOutcome(rawValue: statusText) else {
                throw TenantPilotError.failed("backup set \(id) has status \(statusText)", code: .storeCorrupt)
            }
            return RetentionRules.Candidate(
                id: id, status: status, createdAt: try row.instant("created_at"), pinned: try row.bool("pinned"))
        }
    }

    func retentionCensus() throws -> RetentionCensus {
        var weighed: [Int64: Int] = [:]
        var sets = 0
        for row in try connection.rows(
            """
            SELECT backup_schedule_id, count(*) AS sets,
                   count(*) FILTER (WHERE status IN ('complete', 'partial') AND pinned_at IS NULL) AS weighed
            FROM backup_sets GROUP BY backup_schedule_id
            """)
        {
            sets += Int(try row.int64("sets"))
            if let schedule = try row.optionalInt64("backup_schedule_id") {
                weighed[schedule] = Int(try row.int64("weighed"))
            }
        }
        return RetentionCensus(sets: sets, weighed: weighed)
    }

    func latestFinishedOfEnabledSchedules() throws -> [Int64: BackupSet] {
        let sets = try connection.rows(
            """
            SELECT \(Self.setColumns.split(separator: ",").map { "b." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM backup_schedules sc
            JOIN backup_sets b ON b.id = (
                SELECT id FROM backup_sets
                WHERE backup_schedule_id = sc.id AND status IN ('complete', 'partial')
                ORDER BY id DESC LIMIT 1)
            WHERE sc.enabled AND sc.removed_at IS NULL
            """
        ).map(Self.set)
        return Dictionary(sets.compactMap { set in set.scheduleId.map { ($0, set) } }) { first, _ in first }
    }

    func latestFinishedOfEachTenant() throws -> [Int64: BackupSet] {
        let sets = try connection.rows(
            """
            SELECT \(Self.setColumns.split(separator: ",").map { "b." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM backup_sets b
            JOIN (SELECT max(id) AS id FROM backup_sets WHERE status IN ('complete', 'partial')
                  GROUP BY tenant_id) latest ON latest.id = b.id
            """
        ).map(Self.set)
        return Dictionary(sets.map { ($0.tenantId, $0) }) { first, _ in first }
    }

    static let setColumns = """
        id, tenant_id, backup_schedule_id, run_id, status, item_count, created_at, completed_at, pinned_at, pin_note
        """

    static func set(_ row: PostgresRandomAccessRow) throws -> BackupSet {
        BackupSet(
            id: try row.int64("id"), tenantId: try row.int64("tenant_id"),
            scheduleId: try row.optionalInt64("backup_schedule_id"), runId: try row.optionalInt64("run_id"),
            status: try row.code("status"), itemCount: try row.int("item_count"),
            createdAt: try row.instant("created_at"), completedAt: try row.optionalInstant("completed_at"),
            pinnedAt: try row.optionalInstant("pinned_at"), pinNote: try row.optionalString("pin_note"))
    }

    func find(id: Int64) throws -> BackupSet? {
        try connection.row("SELECT \(Self.setColumns) FROM backup_sets WHERE id = $1" + forUpdate, [id]).map(Self.set)
    }

    func all(ofTenant tenantId: Int64) throws -> [BackupSet] {
        try connection.rows(
            "SELECT \(Self.setColumns) FROM backup_sets WHERE tenant_id = $1 ORDER BY id" + forUpdate, [tenantId]
        ).map(Self.set)
    }

    func pin(_ id: Int64, note: String?, at instant: Instant) throws {
        try connection.execute(
            "UPDATE backup_sets SET pinned_at = coalesce(pinned_at, $1), pin_note = $2 WHERE id = $3",
            [instant, note, id])
    }

    func unpin(_ id: Int64) throws {
        try connection.execute("UPDATE backup_sets SET pinned_at = NULL, pin_note = NULL WHERE id = $1", [id])
    }

    private static let summarySelect = """
        SELECT s.id, s.tenant_id, t.name AS tenant_name, t.removed_at IS NOT NULL AS tenant_removed,
               s.backup_schedule_id, sc.name AS schedule_name,
               coalesce(sc.removed_at IS NOT NULL, false) AS schedule_removed, s.run_id, s.status, s.item_count,
               s.created_at, s.completed_at, s.pinned_at, s.pin_note
        FROM backup_sets s
        JOIN tenants t ON t.id = s.tenant_id
        LEFT JOIN backup_schedules sc ON sc.id = s.backup_schedule_id
        """

    private static func summary(_ row: PostgresRandomAccessRow) throws -> BackupSetSummary {
        BackupSetSummary(
            id: try row.int64("id"), tenantId: try row.int64("tenant_id"), tenantName: try row.string("tenant_name"),
            scheduleId: try row.optionalInt64("backup_schedule_id"),
            scheduleName: try row.optionalString("schedule_name"), scheduleRemoved: try row.bool("schedule_removed"),
            runId: try row.optionalInt64("run_id"), status: try row.code("status"),
            itemCount: try row.int("item_count"), createdAt: try row.instant("created_at"),
            completedAt: try row.optionalInstant("completed_at"), pinnedAt: try row.optionalInstant("pinned_at"),
            pinNote: try row.optionalString("pin_note"), tenantRemoved: try row.bool("tenant_removed"))
    }
}
