import Foundation
import NIOCore
import PostgresNIO

/// Every statement on `backup_items`, `backup_item_keys`, `backup_item_versions` and
/// `backup_payloads`: the same content-addressed rows as in SQLite (a payload stored once per
/// SHA-256, an item three integers), written set by set — each step of `add` is one statement
/// over arrays (`unnest`), so a batch of 500 items costs a few round trips, not thousands.
///
/// Garbage collection reads as SQLite's does, through the same indexes. In a write transaction
/// (READ COMMITTED) a capture that re-uses a payload, key or version while retention deletes
/// it is kept apart by row locks, always taken in one order — payloads, keys, versions, each
/// by id (a deletion takes only the first two) — so that the two never wait for each other in
/// a circle:
///
/// - `add` holds every payload, key and version it references `FOR KEY SHARE` from the moment
///   it has found it until its transaction ends; one that a deletion committed meanwhile is
///   inserted again.
/// - `deleteItems` first locks `FOR UPDATE` whatever the doomed sets reference (so it waits for
///   captures that hold those rows), then looks with a fresh snapshot: what a capture
///   committed meanwhile is seen and kept, and no capture can reference a locked row until the
///   deletion has committed.
struct PostgreSQLBackupItemTable: BackupItemTable {
    let connection: PostgreSQLConnection
    /// Whether the rows found are locked (a write transaction).
    let locksRows: Bool

    /// How often `add` inserts rows again that a concurrent deletion removed under it.
    static let maxReinsertions = 8

    /// Payload bytes sent in one statement at most (a batch of large policies goes in several).
    static let payloadBytesPerStatement = 8 * 1024 * 1024

    func add(_ items: [PreparedBackupItem], toSet setId: Int64) throws {
        if items.isEmpty { return }
        var seen = Set<ItemKey>()
        for entry in items where !seen.insert(ItemKey(entry)).inserted {
            throw TenantPilotError.failed(
                "backup set \(setId) already holds \(entry.item.typeKey) \(entry.item.graphId)",
                code: .duplicateBackupItem)
        }
        let payloadIds = try insertPayloads(items)
        let keyIds = try insertKeys(items)
        let versions = items.map { entry in
            VersionKey(
                keyId: keyIds[ItemKey(entry)] ?? 0, payloadId: payloadIds[entry.sha256] ?? 0,
                displayName: entry.item.displayName)
        }
        let versionIds = try insertVersions(versions)
        let inserted = try connection.rows(
            """
            INSERT INTO backup_items (backup_set_id, key_id, version_id)
            SELECT $1, key_id, version_id FROM unnest($2::bigint[], $3::bigint[]) AS w(key_id, version_id)
            ON CONFLICT (backup_set_id, key_id) DO NOTHING
            RETURNING key_id
            """, [setId, versions.map(\.keyId), versions.map { versionIds[$0] ?? 0 }]
        )
        if inserted.count < items.count {
            let added = Set(try inserted.map { try $0.int64("key_id") })
            let duplicate = items.first { !added.contains(keyIds[ItemKey($0)] ?? 0) } ?? items[0]
            throw TenantPilotError.failed(
                "backup set \(setId) already holds \(duplicate.item.typeKey) \(duplicate.item.graphId)",
                code: .duplicateBackupItem)
        }
    }

    /// Inserts the payloads not stored yet (an existing payload's row is never rewritten);
    /// returns every payload's id by its SHA-256.
    private func insertPayloads(_ items: [PreparedBackupItem]) throws -> [String: Int64] {
        var distinct: [PreparedBackupItem] = []
        var hashes = Set<String>()
        for entry in items where hashes.insert(entry.sha256).inserted { distinct.append(entry) }
        // Inserted in one order by every writer, so that two captures of the same new payloads
        // wait for each other in line, never in a circle.
        distinct.sort { $0.sha256 < $1.sha256 }
        try insertPayloadRows(distinct)
        var ids: [String: Int64] = [:]
        for attempt in 0...Self.maxReinsertions {
            let missing = distinct.filter { ids[$0.sha256] == nil }
            if missing.isEmpty { break }
            if attempt > 0 { try insertPayloadRows(missing) }
            for row in try connection.rows(
                "SELECT id, sha256 FROM backup_payloads WHERE sha256 = ANY($1) ORDER BY id" + keyShare,
                [missing.map(\.sha256)])
            {
                ids[try row.string("sha256")] = try row.int64("id")
            }
        }
        guard ids.count == distinct.count else {
            throw TenantPilotError.failed("a payload vanished while it was being referenced", code: .storeCorrupt)
        }
        return ids
    }

    /// In a write transaction: `FOR KEY SHARE`, the lock a reference holds (see the type).
    private var keyShare: String { locksRows ? " FOR KEY SHARE" : "" }

    /// Inserts the payloads not stored yet, in statements of `payloadBytesPerStatement` at most.
    private func insertPayloadRows(_ payloads: [PreparedBackupItem]) throws {
        var start = 0
        while start < payloads.count {
            var end = start
            var bytes = 0
            while end < payloads.count,
                end == start || bytes + payloads[end].content.count <= Self.payloadBytesPerStatement
            {
                bytes += payloads[end].content.count
                end += 1
            }
            let chunk = payloads[start..<end]
            try connection.execute(
                """
                INSERT INTO backup_payloads (sha256, size, content)
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
                ON CONFLICT (sha256) DO NOTHING
                """,
                [
                    chunk.map(\.sha256), chunk.map { Int64($0.content.count) },
                    chunk.map { ByteBuffer(bytes: $0.content) },
                ])
            start = end
        }
    }

    private func insertKeys(_ items: [PreparedBackupItem]) throws -> [ItemKey: Int64] {
        var ids: [ItemKey: Int64] = [:]
        var wanted = Set(items.map(ItemKey.init))
        for _ in 0...Self.maxReinsertions where !wanted.isEmpty {
            let keys = wanted.sorted { ($0.typeKey, $0.graphId) < ($1.typeKey, $1.graphId) }
            let types = keys.map(\.typeKey)
            let graphIds = keys.map(\.graphId)
            try connection.execute(
                """
                INSERT INTO backup_item_keys (policy_type, graph_id)
                SELECT * FROM unnest($1::text[], $2::text[])
                ON CONFLICT (policy_type, graph_id) DO NOTHING
                """, [types, graphIds])
            for row in try connection.rows(
                """
                SELECT k.id, k.policy_type, k.graph_id
                FROM backup_item_keys k JOIN unnest($1::text[], $2::text[]) AS w(policy_type, graph_id)
                    ON k.policy_type = w.policy_type AND k.graph_id = w.graph_id
                ORDER BY k.id
                """ + (locksRows ? " FOR KEY SHARE OF k" : ""), [types, graphIds])
            {
                let key = ItemKey(typeKey: try row.string("policy_type"), graphId: try row.string("graph_id"))
                ids[key] = try row.int64("id")
                wanted.remove(key)
            }
        }
        guard wanted.isEmpty else {
            throw TenantPilotError.failed("a key vanished while it was being referenced", code: .storeCorrupt)
        }
        return ids
    }

    private func insertVersions(_ versions: [VersionKey]) throws -> [VersionKey: Int64] {
        var ids: [VersionKey: Int64] = [:]
        var wanted = Set(versions)
        for _ in 0...Self.maxReinsertions where !wanted.isEmpty {
            let keys = wanted.sorted {
                ($0.keyId, $0.payloadId, $0.displayName) < ($1.keyId, $1.payloadId, $1.displayName)
            }
            let values: [any PostgreSQLValue] = [keys.map(\.keyId), keys.map(\.payloadId), keys.map(\.displayName)]
            try connection.execute(
                """
                INSERT INTO backup_item_versions (key_id, payload_id, display_name)
                SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])
                ON CONFLICT (key_id, payload_id, display_name) DO NOTHING
                """, values)
            for row in try connection.rows(
                """
                SELECT v.id, v.key_id, v.payload_id, v.display_name
                FROM backup_item_versions v JOIN unnest($1::bigint[], $2::bigint[], $3::text[]) AS w(key_id, payload_id, display_name)
                    ON v.key_id = w.key_id AND v.payload_id = w.payload_id AND v.display_name = w.display_name
                ORDER BY v.id
                """ + (locksRows ? " FOR KEY SHARE OF v" : ""), values)
            {
                let key = VersionKey(
                    keyId: try row.int64("key_id"), payloadId: try row.int64("payload_id"),
                    displayName: try row.string("display_name"))
                ids[key] = try row.int64("id")
                wanted.remove(key)
            }
        }
        guard wanted.isEmpty else {
            throw TenantPilotError.failed("a version vanished while it was being referenced", code: .storeCorrupt)
        }
        return ids
    }

    func items(ofSet setId: Int64) throws -> [BackupItemRecord] {
        try connection.rows(
            """
            SELECT k.policy_type, k.graph_id, v.display_name, p.sha256
            FROM backup_items i
            JOIN backup_item_keys k ON k.id = i.key_id
            JOIN backup_item_versions v ON v.id = i.version_id
            JOIN backup_payloads p ON p.id = v.payload_id
            WHERE i.backup_set_id = $1 ORDER BY k.policy_type, v.display_name, k.graph_id
            """, [setId]
        ).map { row in
            BackupItemRecord(
                typeKey: try row.string("policy_type"), graphId: try row.string("graph_id"),
                displayName: try row.string("display_name"), sha256: try row.string("sha256"))
        }
    }

    func payload(sha256: String) throws -> Data? {
        try connection.row("SELECT content FROM backup_payloads WHERE sha256 = $1", [sha256]).map {
            try $0.bytes("content")
        }
    }

    func versionCounts(ofSets setIds: [Int64]) throws -> [Int64: Int] {
        if setIds.isEmpty { return [:] }
        return try counts(
            """
            SELECT version_id, count(*) AS n FROM backup_items WHERE backup_set_id = ANY($1) GROUP BY version_id
            """, setIds)
    }

    func itemCounts(ofVersions versionIds: [Int64]) throws -> [Int64: Int] {
        if versionIds.isEmpty { return [:] }
        return try counts(
            "SELECT version_id, count(*) AS n FROM backup_items WHERE version_id = ANY($1) GROUP BY version_id",
            versionIds)
    }

    private func counts(_ sql: String, _ ids: [Int64]) throws -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for row in try connection.rows(sql, [ids]) { counts[try row.int64("version_id")] = Int(try row.int64("n")) }
        return counts
    }

    func payloads(ofVersions versionIds: [Int64]) throws -> [BackupGarbage.PayloadVersions] {
        if versionIds.isEmpty { return [] }
        let rows = try connection.rows(
            """
            SELECT p.id, p.sha256, p.size, v.id AS version_id FROM backup_payloads p
            JOIN backup_item_versions v ON v.payload_id = p.id
            WHERE p.id IN (SELECT payload_id FROM backup_item_versions WHERE id = ANY($1))
            ORDER BY p.id, v.id
            """, [versionIds])
        return BackupGarbage.PayloadVersions.grouping(
            try rows.map { row in
                (
                    BackupGarbage.Payload(
                        id: try row.int64("id"), sha256: try row.string("sha256"), size: try row.int64("size")),
                    try row.int64("version_id")
                )
            })
    }

    /// Locks `FOR UPDATE` every payload and key that the sets' items reference — all that
    /// deleting them could leave unreferenced, garbage or not —, payloads then keys, each by id.
    /// Once they are held, a capture referencing one has committed (and is seen by the next
    /// statement's snapshot) or waits until this transaction ends; and two deletions sharing a
    /// payload or key run one after the other, so the later sees what the earlier deleted and
    /// neither keeps a row only because the other still referenced it. A version is covered by
    /// its payload's lock: whoever references a version holds its payload.
    private func lockForDeletion(referencedBy setIds: [Int64]) throws {
        for (table, column) in [("backup_payloads", "payload_id"), ("backup_item_keys", "key_id")] {
            try connection.execute(
                """
                SELECT id FROM \(table) WHERE id IN (
                    SELECT v.\(column) FROM backup_item_versions v
                    WHERE v.id IN (SELECT version_id FROM backup_items WHERE backup_set_id = ANY($1)))
                ORDER BY id FOR UPDATE
                """, [setIds])
        }
    }

    /// The garbage that deleting these versions makes: them, and the payloads and keys that only
    /// they reference.
    private func garbage(of versions: [BackupGarbage.Version]) throws -> BackupGarbage {
        if versions.isEmpty { return BackupGarbage() }
        let versionIds = versions.map(\.id)
        let payloadIds = Set(versions.map(\.payloadId)).sorted()
        let keyIds = Set(versions.map(\.keyId)).sorted()
        // Payloads and keys whose every version goes.
        let payloads = try connection.rows(
            """
            SELECT p.id, p.sha256, p.size FROM backup_payloads p
            WHERE p.id = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM backup_item_versions v WHERE v.payload_id = p.id AND v.id <> ALL($2))
            ORDER BY p.sha256
            """, [payloadIds, versionIds]
        ).map { row in
            BackupGarbage.Payload(
                id: try row.int64("id"), sha256: try row.string("sha256"), size: try row.int64("size"))
        }
        let keys = try connection.rows(
            """
            SELECT k.id FROM backup_item_keys k
            WHERE k.id = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM backup_item_versions v WHERE v.key_id = k.id AND v.id <> ALL($2))
            ORDER BY k.id
            """, [keyIds, versionIds]
        ).map { try $0.int64("id") }
        return BackupGarbage(versionIds: versionIds, keyIds: keys, payloads: payloads)
    }

    func deleteItems(ofSetGroups groups: [[Int64]]) throws -> [BackupGarbage] {
        let setIds = groups.flatMap { $0 }.sorted()
        if setIds.isEmpty { return groups.map { _ in BackupGarbage() } }
        if locksRows { try lockForDeletion(referencedBy: setIds) }
        // The versions the deleted items named, from the deletion itself (with their sets when
        // the garbage is divided among groups); what is left of them is read after it (READ
        // COMMITTED: with the locks held, every capture that references one of them has
        // committed).
        let divides = groups.count > 1
        let rows = try connection.rows(
            "DELETE FROM backup_items WHERE backup_set_id = ANY($1) RETURNING backup_set_id, version_id", [setIds])
        var deleted: [BackupGarbage.DeletedItem] = []
        var named = Set<Int64>()
        for row in rows {
            let versionId = try row.int64("version_id")
            named.insert(versionId)
            if divides { deleted.append(.init(setId: try row.int64("backup_set_id"), versionId: versionId)) }
        }
        if named.isEmpty { return groups.map { _ in BackupGarbage() } }
        let versions = try connection.rows(
            """
            SELECT v.id, v.key_id, v.payload_id FROM backup_item_versions v
            WHERE v.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM backup_items i WHERE i.version_id = v.id)
            ORDER BY v.id
            """, [named.sorted()]
        ).map { row in
            BackupGarbage.Version(
                id: try row.int64("id"), keyId: try row.int64("key_id"), payloadId: try row.int64("payload_id"))
        }
        return BackupGarbage.dividing(try garbage(of: versions), versions: versions, deleted: deleted, among: groups)
    }

    func delete(_ garbage: BackupGarbage) throws {
        // Children before parents: the foreign keys are checked at each statement.
        try deleteRows(table: "backup_item_versions", ids: garbage.versionIds)
        try deleteRows(table: "backup_payloads", ids: garbage.payloads.map(\.id))
        try deleteRows(table: "backup_item_keys", ids: garbage.keyIds)
    }

    private func deleteRows(table: String, ids: [Int64]) throws {
        if ids.isEmpty { return }
        try connection.execute("DELETE FROM \(table) WHERE id = ANY($1)", [ids])
    }
}

/// What makes an item unique in a set: its type and Graph id.
private struct ItemKey: Hashable {
    let typeKey: String
    let graphId: String

    init(typeKey: String, graphId: String) {
        self.typeKey = typeKey
        self.graphId = graphId
    }

    init(_ entry: PreparedBackupItem) {
        self.init(typeKey: entry.item.typeKey, graphId: entry.item.graphId)
    }
}

/// A distinct capture of a policy.
private struct VersionKey: Hashable {
    let keyId: Int64
    let payloadId: Int64
    let displayName: String
}
