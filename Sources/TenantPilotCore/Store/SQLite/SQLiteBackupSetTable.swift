import GRDB

/// Every statement on `backup_sets`. Listings join `tenants` and `backup_schedules` only to
/// read the names they show.
struct SQLiteBackupSetTable: BackupSetTable {
    let db: Database
    /// In a bulk deletion, deleting most sets keeps the others instead (`SQLiteBulkDeletion`).
    var bulk: SQLiteBulkDeletion.Scope?

    func begin(tenantId: Int64, scheduleId: Int64?, runId: Int64?, at instant: Instant) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO backup_sets (tenant_id, backup_schedule_id, run_id, status, item_count, created_at)
                VALUES (?, ?, ?, 'building', 0, ?)
                """,
            arguments: [tenantId, scheduleId, runId, instant])
        return db.lastInsertedRowID
    }

    func status(of id: Int64) throws -> BackupSetStatus? {
        try BackupSetStatus.fetchOne(db, sql: "SELECT status FROM backup_sets WHERE id = ?", arguments: [id])
    }

    func complete(_ id: Int64, as outcome: BackupSetOutcome, at instant: Instant) throws {
        try db.execute(
            sql: """
                UPDATE backup_sets
                SET status = ?, completed_at = ?,
                    item_count = (SELECT count(*) FROM backup_items WHERE backup_set_id = ?)
                WHERE id = ?
                """,
            arguments: [outcome, instant, id, id])
    }

    func building(createdBefore instant: Instant) throws -> [Int64] {
        try Int64.fetchAll(
            db, sql: "SELECT id FROM backup_sets WHERE status = 'building' AND created_at < ?", arguments: [instant])
    }

    func building(ofRuns runIds: [Int64]) throws -> [Int64] {
        if runIds.isEmpty { return [] }
        return try Int64.fetchAll(
            db,
            sql: "SELECT id FROM backup_sets WHERE status = 'building' AND run_id IN (SELECT value FROM json_each(?))",
            arguments: [SQLiteIds.json(runIds)])
    }

    func delete(_ ids: [Int64]) throws {
        if ids.isEmpty { return }
        if let bulk, let survivors = try bulk.survivingSets(db, doomed: ids.sorted()) {
            try SQLiteBulkDeletion.keepOnly(db, table: "backup_sets", column: "id", in: survivors)
            return
        }
        try db.execute(
            sql: "DELETE FROM backup_sets WHERE id IN (SELECT value FROM json_each(?))",
            arguments: [SQLiteIds.json(ids)])
    }

    func finished(tenantId: Int64?, scheduleId: Int64?, limit: Int?) throws -> [BackupSetSummary] {
        var conditions = ["s.status IN ('complete', 'partial')"]
        var arguments = StatementArguments()
        if let tenantId {
            conditions.append("s.tenant_id = ?")
            arguments += [tenantId]
        }
        if let scheduleId {
            conditions.append("s.backup_schedule_id = ?")
            arguments += [scheduleId]
        }
        var sql = Self.summarySelect + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY s.id DESC"
        if let limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.summary)
    }

    func finished(id: Int64) throws -> BackupSetSummary? {
        try Row.fetchOne(
            db, sql: Self.summarySelect + " WHERE s.id = ? AND s.status IN ('complete', 'partial')", arguments: [id]
        )
        .map(Self.summary)
    }

    func retentionCandidates(ofSchedule scheduleId: Int64) throws -> [RetentionRules.Candidate] {
        // Retention reads every schedule's sets in turn: one prepared statement, four columns,
        // and rows decoded straight from it (a cursor) rather than copied first.
        let statement = try db.cachedStatement(
            sql: """
                SELECT id, status, created_at, pinned_at IS NOT NULL FROM backup_sets
                WHERE backup_schedule_id = ? AND status IN ('complete', 'partial')
                ORDER BY id DESC
                """)
        var sets: [RetentionRules.Candidate] = []
        let rows = try Row.fetchCursor(statement, arguments: [scheduleId])
        while let row = try rows.next() {
            let id: Int64 = try row.decode(atIndex: 0)
            let statusText: String = try row.decode(atIndex: 1)
            let createdText: String = try row.decode(atIndex: 2)
            guard let status = BackupSetOutcome(rawValue: statusText), let createdAt = Instant(text: createdText)
            else {
                throw TenantPilotError.failed(
                    "backup set \(id) has status \(statusText) and created_at \(createdText)", code: .storeCorrupt)
            }
            sets.append(
                RetentionRules.Candidate(
                    id: id, status: status, createdAt: createdAt, pinned: try row.decode(atIndex: 3)))
        }
        return sets
    }

    func retentionCensus() throws -> RetentionCensus {
        // Every set of each schedule through `backup_sets_by_schedule` alone, less the few that
        // are building or pinned, which a scan of the rows finds faster than a lookup per set.
        var weighed = try counts("SELECT backup_schedule_id, count(*) FROM backup_sets GROUP BY backup_schedule_id")
        let unweighed = try counts(
            """
            SELECT backup_schedule_id, count(*) FROM backup_sets NOT INDEXED
            WHERE status NOT IN ('complete', 'partial') OR pinned_at IS NOT NULL GROUP BY backup_schedule_id
            """)
        let sets = weighed.values.reduce(0, +)
        for (schedule, count) in unweighed { weighed[schedule, default: 0] -= count }
        return RetentionCensus(sets: sets, weighed: weighed.filter { $0.key != 0 })
    }

    /// A count by schedule id, sets without a schedule under 0.
    private func counts(_ sql: String) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            let schedule: Int64? = try row.decode(atIndex: 0)
            counts[schedule ?? 0] = try row.decode(atIndex: 1)
        }
        return counts
    }

    func find(id: Int64) throws -> BackupSet? {
        try Row.fetchOne(db, sql: "SELECT \(Self.setColumns) FROM backup_sets WHERE id = ?", arguments: [id]).map(
            Self.set)
    }

    func all(ofTenant tenantId: Int64) throws -> [BackupSet] {
        try Row.fetchAll(
            db, sql: "SELECT \(Self.setColumns) FROM backup_sets WHERE tenant_id = ? ORDER BY id", arguments: [tenantId]
        ).map(Self.set)
    }

    func pin(_ id: Int64, note: String?, at instant: Instant) throws {
        try db.execute(
            sql: "UPDATE backup_sets SET pinned_at = coalesce(pinned_at, ?), pin_note = ? WHERE id = ?",
            arguments: [instant, note, id])
    }

    func unpin(_ id: Int64) throws {
        try db.execute(sql: "UPDATE backup_sets SET pinned_at = NULL, pin_note = NULL WHERE id = ?", arguments: [id])
    }

    func latestFinishedOfEnabledSchedules() throws -> [Int64: BackupSet] {
        let sets = try Row.fetchAll(
            db,
            sql: """
                SELECT \(Self.setColumns(of: "b")) FROM backup_schedules sc
                JOIN backup_sets b ON b.id = (
                    SELECT id FROM backup_sets
                    WHERE backup_schedule_id = sc.id AND status IN ('complete', 'partial')
                    ORDER BY id DESC LIMIT 1)
                WHERE sc.enabled = 1 AND sc.removed_at IS NULL
                """
        ).map(Self.set)
        return Dictionary(sets.compactMap { set in set.scheduleId.map { ($0, set) } }) { first, _ in first }
    }

    func latestFinishedOfEachTenant() throws -> [Int64: BackupSet] {
        let sets = try Row.fetchAll(
            db,
            sql: """
                SELECT \(Self.setColumns(of: "b")) FROM backup_sets b
                JOIN (SELECT MAX(id) AS id FROM backup_sets WHERE status IN ('complete', 'partial')
                      GROUP BY tenant_id) latest ON latest.id = b.id
                """
        ).map(Self.set)
        return Dictionary(sets.map { ($0.tenantId, $0) }) { first, _ in first }
    }

    private static let summarySelect = """
        SELECT s.id, s.tenant_id, t.name AS tenant_name, t.removed_at IS NOT NULL AS tenant_removed,
               s.backup_schedule_id, sc.name AS schedule_name, sc.removed_at IS NOT NULL AS schedule_removed,
               s.run_id, s.status, s.item_count, s.created_at, s.completed_at, s.pinned_at, s.pin_note
        FROM backup_sets s
        JOIN tenants t ON t.id = s.tenant_id
        LEFT JOIN backup_schedules sc ON sc.id = s.backup_schedule_id
        """

    private static func summary(_ row: Row) throws -> BackupSetSummary {
        let id: Int64 = try row.decode(forColumn: "id")
        let statusText: String = try row.decode(forColumn: "status")
        guard let status = BackupSetOutcome(rawValue: statusText) else {
            throw TenantPilotError.failed("backup set \(id) has status \(statusText)", code: .storeCorrupt)
        }
        let createdText: String = try row.decode(forColumn: "created_at")
        guard let createdAt = Instant(text: createdText) else {
            throw TenantPilotError.failed("backup set \(id) has created_at \(createdText)", code: .storeCorrupt)
        }
        let completedText: String? = try row.decode(forColumn: "completed_at")
        return BackupSetSummary(
            id: id, tenantId: try row.decode(forColumn: "tenant_id"),
            tenantName: try row.decode(forColumn: "tenant_name"),
            scheduleId: try row.decode(forColumn: "backup_schedule_id"),
            scheduleName: try row.decode(forColumn: "schedule_name"),
            scheduleRemoved: try row.decode(Bool?.self, forColumn: "schedule_removed") ?? false,
            runId: try row.decode(forColumn: "run_id"), status: status,
            itemCount: try row.decode(forColumn: "item_count"),
            createdAt: createdAt, completedAt: completedText.flatMap(Instant.init(text:)),
            pinnedAt: try row.decode(forColumn: "pinned_at"), pinNote: try row.decode(forColumn: "pin_note"),
            tenantRemoved: try row.decode(Bool?.self, forColumn: "tenant_removed") ?? false)
    }

    /// The columns `set` reads, in its order. Read by position: retention reads every set of
    /// every schedule, and a lookup by name costs more than the value.
    private static let setColumns = setColumns(of: nil)

    /// `setColumns`, each qualified by the table's alias in a join.
    private static func setColumns(of alias: String?) -> String {
        [
            "id", "tenant_id", "backup_schedule_id", "run_id", "status", "item_count", "created_at", "completed_at",
            "pinned_at", "pin_note",
        ].map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    private static func set(_ row: Row) throws -> BackupSet {
        let id: Int64 = try row.decode(atIndex: 0)
        let statusText: String = try row.decode(atIndex: 4)
        let createdText: String = try row.decode(atIndex: 6)
        guard let status = BackupSetStatus(rawValue: statusText), let createdAt = Instant(text: createdText) else {
            throw TenantPilotError.failed(
                "backup set \(id) has status \(statusText) and created_at \(createdText)", code: .storeCorrupt)
        }
        let completedText: String? = try row.decode(atIndex: 7)
        // Read as text and parsed here: decoding an `Instant?` goes through generic lookups
        // that cost more than the parse.
        let pinnedText: String? = try row.decode(atIndex: 8)
        let pinnedAt = pinnedText.flatMap(Instant.init(text:))
        if let pinnedText, pinnedAt == nil {
            throw TenantPilotError.failed("backup set \(id) has pinned_at \(pinnedText)", code: .storeCorrupt)
        }
        return BackupSet(
            id: id, tenantId: try row.decode(atIndex: 1), scheduleId: try row.decode(atIndex: 2),
            runId: try row.decode(atIndex: 3), status: status, itemCount: try row.decode(atIndex: 5),
            createdAt: createdAt, completedAt: completedText.flatMap(Instant.init(text:)),
            pinnedAt: pinnedAt, pinNote: try row.decode(atIndex: 9))
    }
}

/// Id lists passed to SQLite as one JSON array (`IN (SELECT value FROM json_each(?))`): one
/// statement whatever the number of ids.
enum SQLiteIds {
    static func json(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
