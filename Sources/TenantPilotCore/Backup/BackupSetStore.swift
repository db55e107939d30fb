import Foundation
import GRDB

/// The content-addressed store of backup sets (SPEC §2 "Backup"). A run begins a set
/// (`building`, invisible to every listing), adds its items in batches, and completes it as
/// `complete` or `partial`; only then is it listed. Each payload is stored once per distinct
/// SHA-256 of its canonical JSON, and each policy's identity and display name once, so a backup
/// of an unchanged tenant adds only an item row of three integers per policy (migration
/// `v3_compact_backup_items`).
///
/// "Newest" means the highest id: sets are ordered by when they were begun in this store,
/// whatever the clock (`--now`, a corrected system clock) said at the time.
public struct BackupSetStore: Sendable {
    public let store: Store
    /// Items written per write transaction: keeps each lock short so a dispatch never waits long.
    public let batchSize: Int

    public init(store: Store, batchSize: Int = 500) {
        self.store = store
        self.batchSize = max(1, batchSize)
    }

    // MARK: - Writing a set

    /// Starts a set in status `building` and returns its id. `scheduleId` is nil for a set
    /// made by hand; `runId` names the run that writes it, so an abandoned run's set can be
    /// discarded.
    public func beginSet(tenantId: Int64, scheduleId: Int64?, runId: Int64?, at instant: Date) throws(TenantPilotError) -> Int64 {
        try StoreAccess.perform("begin a backup set") {
            try store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO backup_sets (tenant_id, backup_schedule_id, run_id, status, item_count, created_at)
                        VALUES (?, ?, ?, 'building', 0, ?)
                        """,
                    arguments: [tenantId, scheduleId, runId, ISO8601.string(instant)])
                return db.lastInsertedRowID
            }
        }
    }

    /// Adds items to a set that is being written: a payload is inserted once per distinct SHA-256,
    /// a policy's key (type, Graph id) once, and each distinct capture (key, display name,
    /// payload) once, so an item row is three integers. Items go in batches of `batchSize`, one
    /// transaction per batch. Throws `BACKUP_SET_CLOSED` when the set is not `building`
    /// (completed or discarded) and `DUPLICATE_BACKUP_ITEM` when the set already holds an item
    /// of that type and Graph id.
    public func addItems(setId: Int64, items: [NewBackupItem]) throws(TenantPilotError) {
        // Hash outside the write transaction: the lock is held only for the inserts.
        let prepared = items.map { item in (item: item, payload: PayloadHash.canonical(item.payload)) }
        var start = 0
        while start < prepared.count {
            let batch = prepared[start..<min(start + batchSize, prepared.count)]
            try StoreAccess.perform("add items to backup set \(setId)") {
                try store.writer.write { db in
                    try Self.requireBuilding(db, setId: setId)
                    let rows = try ItemRowWriter(db)
                    for entry in batch {
                        let payloadId = try rows.payloadId(sha256: entry.payload.sha256, content: entry.payload.data)
                        let keyId = try rows.keyId(typeKey: entry.item.typeKey, graphId: entry.item.graphId)
                        let versionId = try rows.versionId(
                            keyId: keyId, payloadId: payloadId, displayName: entry.item.displayName)
                        do {
                            try rows.insertItem(setId: setId, keyId: keyId, versionId: versionId)
                        } catch let error as DatabaseError
                            where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                            || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                        {
                            throw TenantPilotError.failed(
                                "backup set \(setId) already holds \(entry.item.typeKey) \(entry.item.graphId)",
                                code: "DUPLICATE_BACKUP_ITEM")
                        }
                    }
                }
            }
            start += batchSize
        }
    }

    /// Finishes a set as `complete` or `partial` and records its item count; from here on it is
    /// listed. Throws `BACKUP_SET_CLOSED` when the set is not `building`.
    public func completeSet(setId: Int64, status: BackupSetOutcome, at instant: Date) throws(TenantPilotError) {
        try StoreAccess.perform("complete backup set \(setId)") {
            try store.writer.write { db in
                try Self.requireBuilding(db, setId: setId)
                try db.execute(
                    sql: """
                        UPDATE backup_sets
                        SET status = ?, completed_at = ?,
                            item_count = (SELECT count(*) FROM backup_items WHERE backup_set_id = ?)
                        WHERE id = ?
                        """,
                    arguments: [status.rawValue, ISO8601.string(instant), setId, setId])
            }
        }
    }

    /// Deletes sets still `building` that were begun before `instant` (their run died), with
    /// their items and the payloads nothing else references. Returns how many were discarded.
    @discardableResult
    public func discardBuildingSets(olderThan instant: Date) throws(TenantPilotError) -> Int {
        try discardBuilding(
            where: "created_at < ?", arguments: [ISO8601.string(instant)], action: "discard abandoned backup sets")
    }

    /// Deletes the `building` sets written by these runs (abandoned or failed runs), with their
    /// items and orphaned payloads. Finished sets of those runs are left alone.
    @discardableResult
    public func discardBuildingSets(forRunIds runIds: [Int64]) throws(TenantPilotError) -> Int {
        if runIds.isEmpty { return 0 }
        return try discardBuilding(
            where: "run_id IN (SELECT value FROM json_each(?))",
            arguments: [BackupSetDeletion.jsonArray(runIds)], action: "discard the backup sets of abandoned runs")
    }

    private func discardBuilding(where condition: String, arguments: StatementArguments, action: String) throws(TenantPilotError) -> Int {
        try StoreAccess.perform(action) {
            try store.writer.write { db in
                let ids = try Int64.fetchAll(
                    db, sql: "SELECT id FROM backup_sets WHERE status = 'building' AND \(condition)",
                    arguments: arguments)
                try BackupSetDeletion.delete(db, setIds: ids)
                return ids.count
            }
        }
    }

    // MARK: - Reading

    /// Finished sets (`complete` or `partial`), newest first, optionally for one tenant and/or
    /// one schedule. Sets still being written are never listed.
    public func listSets(tenantId: Int64? = nil, scheduleId: Int64? = nil) throws(TenantPilotError) -> [BackupSetSummary] {
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
        let sql = Self.summarySelect + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY s.id DESC"
        return try StoreAccess.perform("list backup sets") {
            try store.writer.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.summary)
            }
        }
    }

    /// A finished set with its items; nil when there is no such set or it is still being written.
    public func set(id: Int64) throws(TenantPilotError) -> BackupSetDetail? {
        try StoreAccess.perform("read backup set \(id)") {
            try store.writer.read { db -> BackupSetDetail? in
                guard
                    let row = try Row.fetchOne(
                        db, sql: Self.summarySelect + " WHERE s.id = ? AND s.status IN ('complete', 'partial')",
                        arguments: [id])
                else { return nil }
                let items = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT k.policy_type, k.graph_id, v.display_name, p.sha256
                        FROM backup_items i
                        JOIN backup_item_keys k ON k.id = i.key_id
                        JOIN backup_item_versions v ON v.id = i.version_id
                        JOIN backup_payloads p ON p.id = v.payload_id
                        WHERE i.backup_set_id = ? ORDER BY k.policy_type, v.display_name, k.graph_id
                        """,
                    arguments: [id]
                ).map { row in
                    BackupItemRecord(
                        typeKey: row["policy_type"], graphId: row["graph_id"],
                        displayName: row["display_name"], sha256: row["sha256"])
                }
                return BackupSetDetail(summary: try Self.summary(row), items: items)
            }
        }
    }

    /// The stored payload with this SHA-256, or nil.
    public func payload(sha256: String) throws(TenantPilotError) -> JSONValue? {
        let data = try StoreAccess.perform("read payload \(sha256)") {
            try store.writer.read { db in
                try Data.fetchOne(db, sql: "SELECT content FROM backup_payloads WHERE sha256 = ?", arguments: [sha256])
            }
        }
        guard let data else { return nil }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw .failed("payload \(sha256) is not valid JSON: the store may be damaged", code: "STORE_CORRUPT")
        }
    }

    // MARK: - Helpers

    static func requireBuilding(_ db: Database, setId: Int64) throws {
        let status = try String.fetchOne(db, sql: "SELECT status FROM backup_sets WHERE id = ?", arguments: [setId])
        guard let status else {
            throw TenantPilotError.failed("no backup set with id \(setId) (discarded?)", code: "BACKUP_SET_CLOSED")
        }
        guard status == BackupSetStatus.building.rawValue else {
            throw TenantPilotError.failed("backup set \(setId) is already \(status)", code: "BACKUP_SET_CLOSED")
        }
    }

    private static let summarySelect = """
        SELECT s.id, s.tenant_id, t.name AS tenant_name, s.backup_schedule_id, sc.name AS schedule_name,
               sc.removed_at IS NOT NULL AS schedule_removed, s.run_id, s.status, s.item_count,
               s.created_at, s.completed_at
        FROM backup_sets s
        JOIN tenants t ON t.id = s.tenant_id
        LEFT JOIN backup_schedules sc ON sc.id = s.backup_schedule_id
        """

    private static func summary(_ row: Row) throws -> BackupSetSummary {
        let id: Int64 = row["id"]
        let statusText: String = row["status"]
        guard let status = BackupSetOutcome(rawValue: statusText) else {
            throw TenantPilotError.failed("backup set \(id) has status \(statusText)", code: "STORE_CORRUPT")
        }
        let createdText: String = row["created_at"]
        guard let createdAt = ISO8601.parse(createdText) else {
            throw TenantPilotError.failed("backup set \(id) has created_at \(createdText)", code: "STORE_CORRUPT")
        }
        let completedText: String? = row["completed_at"]
        return BackupSetSummary(
            id: id, tenantId: row["tenant_id"], tenantName: row["tenant_name"],
            scheduleId: row["backup_schedule_id"], scheduleName: row["schedule_name"],
            scheduleRemoved: row["schedule_removed"] ?? false, runId: row["run_id"], status: status,
            itemCount: row["item_count"], createdAt: createdAt, completedAt: completedText.flatMap(ISO8601.parse))
    }
}

/// The get-or-insert statements of `addItems`, prepared once per write transaction. Each
/// `INSERT … ON CONFLICT DO NOTHING` that inserts nothing is followed by a lookup through the
/// same unique index; an existing payload's row (its content) is never rewritten.
private struct ItemRowWriter {
    let db: Database
    let insertPayload, findPayload, insertKey, findKey, insertVersion, findVersion, insertItem: Statement

    init(_ db: Database) throws {
        self.db = db
        insertPayload = try db.cachedStatement(
            sql: "INSERT INTO backup_payloads (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
        findPayload = try db.cachedStatement(sql: "SELECT id FROM backup_payloads WHERE sha256 = ?")
        insertKey = try db.cachedStatement(
            sql: "INSERT INTO backup_item_keys (policy_type, graph_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        findKey = try db.cachedStatement(
            sql: "SELECT id FROM backup_item_keys WHERE policy_type = ? AND graph_id = ?")
        insertVersion = try db.cachedStatement(
            sql: """
                INSERT INTO backup_item_versions (key_id, payload_id, display_name) VALUES (?, ?, ?)
                ON CONFLICT (key_id, payload_id, display_name) DO NOTHING
                """)
        findVersion = try db.cachedStatement(
            sql: "SELECT id FROM backup_item_versions WHERE key_id = ? AND payload_id = ? AND display_name = ?")
        insertItem = try db.cachedStatement(
            sql: "INSERT INTO backup_items (backup_set_id, key_id, version_id) VALUES (?, ?, ?)")
    }

    func payloadId(sha256: String, content: Data) throws -> Int64 {
        try getOrInsert(insertPayload, [sha256, content.count, content], find: findPayload, [sha256])
    }

    func keyId(typeKey: String, graphId: String) throws -> Int64 {
        let arguments: StatementArguments = [typeKey, graphId]
        return try getOrInsert(insertKey, arguments, find: findKey, arguments)
    }

    func versionId(keyId: Int64, payloadId: Int64, displayName: String) throws -> Int64 {
        let arguments: StatementArguments = [keyId, payloadId, displayName]
        return try getOrInsert(insertVersion, arguments, find: findVersion, arguments)
    }

    func insertItem(setId: Int64, keyId: Int64, versionId: Int64) throws {
        try insertItem.execute(arguments: [setId, keyId, versionId])
    }

    private func getOrInsert(
        _ insert: Statement, _ insertArguments: StatementArguments, find: Statement, _ findArguments: StatementArguments
    ) throws -> Int64 {
        try insert.execute(arguments: insertArguments)
        if db.changesCount > 0 { return db.lastInsertedRowID }
        guard let id = try Int64.fetchOne(find, arguments: findArguments) else {
            throw TenantPilotError.failed("a row vanished while it was being referenced", code: "STORE_CORRUPT")
        }
        return id
    }
}
