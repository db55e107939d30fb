import Foundation
import GRDB

/// Every statement on `backup_items`, `backup_item_keys`, `backup_item_versions` and
/// `backup_payloads` (migration `v3_compact_backup_items`). An item names its key, which keeps
/// (set, type, Graph id) unique through the primary key, and its version, whose key must be the
/// same (the composite foreign key).
///
/// Garbage collection starts from the rows the deleted sets reference and goes through an index
/// (`backup_items_by_version`, `backup_item_versions_by_payload`, the keys' unique index), so its
/// work grows with the sets deleted, never with the whole store.
struct SQLiteBackupItemTable: BackupItemTable {
    let db: Database
    /// In a bulk deletion, deleting the items of most sets keeps the others' instead
    /// (`SQLiteBulkDeletion`).
    var bulk: SQLiteBulkDeletion.Scope?

    func add(_ items: [PreparedBackupItem], toSet setId: Int64) throws {
        let rows = try ItemRowWriter(db)
        for entry in items {
            let payloadId = try rows.payloadId(sha256: entry.sha256, content: entry.content)
            let keyId = try rows.keyId(typeKey: entry.item.typeKey, graphId: entry.item.graphId)
            let versionId = try rows.versionId(keyId: keyId, payloadId: payloadId, displayName: entry.item.displayName)
            do {
                try rows.insertItem(setId: setId, keyId: keyId, versionId: versionId)
            } catch let error as DatabaseError
                where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            {
                throw TenantPilotError.failed(
                    "backup set \(setId) already holds \(entry.item.typeKey) \(entry.item.graphId)",
                    code: .duplicateBackupItem)
            }
        }
    }

    func items(ofSet setId: Int64) throws -> [BackupItemRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT k.policy_type, k.graph_id, v.display_name, p.sha256
                FROM backup_items i
                JOIN backup_item_keys k ON k.id = i.key_id
                JOIN backup_item_versions v ON v.id = i.version_id
                JOIN backup_payloads p ON p.id = v.payload_id
                WHERE i.backup_set_id = ? ORDER BY k.policy_type, v.display_name, k.graph_id
                """,
            arguments: [setId]
        ).map { row in
            BackupItemRecord(
                typeKey: try row.decode(forColumn: "policy_type"), graphId: try row.decode(forColumn: "graph_id"),
                displayName: try row.decode(forColumn: "display_name"), sha256: try row.decode(forColumn: "sha256"))
        }
    }

    func payload(sha256: String) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT content FROM backup_payloads WHERE sha256 = ?", arguments: [sha256])
    }

    func versionCounts(ofSets setIds: [Int64]) throws -> [Int64: Int] {
        if setIds.isEmpty { return [:] }
        // Prepared once per connection: a dry run asks for every schedule in turn.
        return try counts(
            db.cachedStatement(
                sql: """
                    SELECT version_id, count(*) FROM backup_items
                    WHERE backup_set_id IN (SELECT value FROM json_each(?)) GROUP BY version_id
                    """),
            SQLiteIds.json(setIds))
    }

    func itemCounts(ofVersions versionIds: [Int64]) throws -> [Int64: Int] {
        if versionIds.isEmpty { return [:] }
        return try counts(
            db.cachedStatement(
                sql: """
                    SELECT version_id, count(*) FROM backup_items
                    WHERE version_id IN (SELECT value FROM json_each(?)) GROUP BY version_id
                    """),
            SQLiteIds.json(versionIds))
    }

    private func counts(_ statement: Statement, _ ids: String) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        let rows = try Row.fetchCursor(statement, arguments: [ids])
        while let row = try rows.next() { counts[try row.decode(atIndex: 0)] = try row.decode(atIndex: 1) }
        return counts
    }

    func payloads(ofVersions versionIds: [Int64]) throws -> [BackupGarbage.PayloadVersions] {
        if versionIds.isEmpty { return [] }
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT p.id, p.sha256, p.size, v.id AS version_id FROM backup_payloads p
                    JOIN backup_item_versions v ON v.payload_id = p.id
                    WHERE p.id IN (
                        SELECT payload_id FROM backup_item_versions WHERE id IN (SELECT value FROM json_each(?)))
                    ORDER BY p.id, v.id
                    """),
            arguments: [SQLiteIds.json(versionIds)])
        return BackupGarbage.PayloadVersions.grouping(
            try rows.map { row in
                (
                    BackupGarbage.Payload(
                        id: try row.decode(forColumn: "id"), sha256: try row.decode(forColumn: "sha256"),
                        size: try row.decode(forColumn: "size")),
                    try row.decode(forColumn: "version_id")
                )
            })
    }

    /// The items of all the groups go in one statement over their ids in order, which touches
    /// each page of `backup_items` once (a statement per group would touch it once per group on
    /// it: a day's sets of every schedule share pages). What they leave unreferenced is found
    /// before, by counting: a version goes when every item that names it is one of these sets'.
    /// SQLite's `RETURNING` keeps every deleted row aside until the statement ends, which made
    /// the deletion two to three times slower than the counts and the plain statement together;
    /// and without it the same code runs on SQLite before 3.35 (Debian 11, Ubuntu 20.04, RHEL 8
    /// and 9).
    ///
    /// In a bulk deletion of most sets, the other sets' items are kept instead and the table
    /// emptied (`SQLiteBulkDeletion`); a version goes when no kept item names it.
    func deleteItems(ofSetGroups groups: [[Int64]]) throws -> [BackupGarbage] {
        let setIds = groups.flatMap { $0 }.sorted()
        if setIds.isEmpty { return groups.map { _ in BackupGarbage() } }
        if let bulk, let survivors = try bulk.survivingSets(db, doomed: setIds) {
            let doomed = try versionsNamedOnlyOutside(survivors)
            let deleted = try deletedItems(naming: doomed, among: groups)
            try SQLiteBulkDeletion.keepOnly(db, table: "backup_items", column: "backup_set_id", in: survivors)
            return try garbage(ofVersions: doomed, deleted: deleted, among: groups)
        }
        let deleting = try versionCounts(ofSets: setIds)
        let total = try itemCounts(ofVersions: deleting.keys.sorted())
        let doomed = deleting.filter { total[$0.key] == $0.value }.keys.sorted()
        let deleted = try deletedItems(naming: doomed, among: groups)
        try db.cachedStatement(
            sql: "DELETE FROM backup_items WHERE backup_set_id IN (SELECT value FROM json_each(?))"
        ).execute(arguments: [SQLiteIds.json(setIds)])
        return try garbage(ofVersions: doomed, deleted: deleted, among: groups)
    }

    /// The versions that some item names and no item of the sets `kept` does, by id. A lookup
    /// per version through `backup_items_by_version`: a store holds far fewer versions than items.
    private func versionsNamedOnlyOutside(_ kept: [Int64]) throws -> [Int64] {
        let named = try Int64.fetchAll(
            db,
            sql: """
                SELECT v.id FROM backup_item_versions v
                WHERE EXISTS (SELECT 1 FROM backup_items i WHERE i.version_id = v.id) ORDER BY v.id
                """)
        let stay = Set(
            try Int64.fetchAll(
                db,
                sql: "SELECT version_id FROM backup_items WHERE backup_set_id IN (SELECT value FROM json_each(?))",
                arguments: [SQLiteIds.json(kept)]))
        return named.filter { !stay.contains($0) }
    }

    /// The items, about to be deleted, that name the `doomed` versions (all of their items):
    /// which group deleted what matters only when there are several.
    private func deletedItems(naming doomed: [Int64], among groups: [[Int64]]) throws -> [BackupGarbage.DeletedItem] {
        if groups.count <= 1 || doomed.isEmpty { return [] }
        var deleted: [BackupGarbage.DeletedItem] = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT backup_set_id, version_id FROM backup_items
                    WHERE version_id IN (SELECT value FROM json_each(?))
                    """),
            arguments: [SQLiteIds.json(doomed)])
        while let row = try rows.next() {
            deleted.append(.init(setId: try row.decode(atIndex: 0), versionId: try row.decode(atIndex: 1)))
        }
        return deleted
    }

    /// The garbage of the `doomed` versions, whose items are deleted, divided among the groups.
    private func garbage(ofVersions doomed: [Int64], deleted: [BackupGarbage.DeletedItem], among groups: [[Int64]])
        throws -> [BackupGarbage]
    {
        if doomed.isEmpty { return groups.map { _ in BackupGarbage() } }
        let versions = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, key_id, payload_id FROM backup_item_versions
                    WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id
                    """),
            arguments: [SQLiteIds.json(doomed)]
        ).map { row in
            BackupGarbage.Version(
                id: try row.decode(forColumn: "id"), keyId: try row.decode(forColumn: "key_id"),
                payloadId: try row.decode(forColumn: "payload_id"))
        }
        return BackupGarbage.dividing(try garbage(of: versions), versions: versions, deleted: deleted, among: groups)
    }

    /// The garbage that deleting these versions makes: them, and the payloads and keys that only
    /// they reference.
    private func garbage(of versions: [BackupGarbage.Version]) throws -> BackupGarbage {
        if versions.isEmpty { return BackupGarbage() }
        let versionIds = versions.map(\.id)
        let payloadIds = versions.map(\.payloadId)
        let keyIds = versions.map(\.keyId)
        let doomedVersions = SQLiteIds.json(versionIds)
        // Payloads and keys whose every version goes.
        let payloads = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT p.id, p.sha256, p.size FROM backup_payloads p
                    WHERE p.id IN (SELECT value FROM json_each(?1))
                    AND NOT EXISTS (
                        SELECT 1 FROM backup_item_versions v
                        WHERE v.payload_id = p.id AND v.id NOT IN (SELECT value FROM json_each(?2)))
                    ORDER BY p.sha256
                    """),
            arguments: [SQLiteIds.json(Set(payloadIds).sorted()), doomedVersions]
        ).map { row in
            BackupGarbage.Payload(
                id: try row.decode(forColumn: "id"), sha256: try row.decode(forColumn: "sha256"),
                size: try row.decode(forColumn: "size"))
        }
        let keys = try Int64.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT k.id FROM backup_item_keys k
                    WHERE k.id IN (SELECT value FROM json_each(?1))
                    AND NOT EXISTS (
                        SELECT 1 FROM backup_item_versions v
                        WHERE v.key_id = k.id AND v.id NOT IN (SELECT value FROM json_each(?2)))
                    ORDER BY k.id
                    """),
            arguments: [SQLiteIds.json(Set(keyIds).sorted()), doomedVersions])
        return BackupGarbage(versionIds: versionIds, keyIds: keys, payloads: payloads)
    }

    func delete(_ garbage: BackupGarbage) throws {
        // Children before parents: the foreign keys are checked at each statement.
        try deleteRows(table: "backup_item_versions", ids: garbage.versionIds)
        try deleteRows(table: "backup_payloads", ids: garbage.payloads.map(\.id))
        try deleteRows(table: "backup_item_keys", ids: garbage.keyIds)
    }

    private func deleteRows(table: String, ids: [Int64]) throws {
        if ids.isEmpty { return }
        try db.execute(
            sql: "DELETE FROM \(table) WHERE id IN (SELECT value FROM json_each(?))", arguments: [SQLiteIds.json(ids)])
    }
}

/// The get-or-insert statements of `add`, prepared once per write transaction. Each
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
            throw TenantPilotError.failed("a row vanished while it was being referenced", code: .storeCorrupt)
        }
        return id
    }
}
