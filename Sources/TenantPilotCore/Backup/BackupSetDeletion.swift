import Foundation
import GRDB

/// Deleting backup sets together with their items and whatever nothing references any more:
/// versions (a policy's display name and payload), payloads and keys (a policy's type and
/// Graph id). Shared by retention and by the discarding of abandoned sets; always runs inside
/// the caller's write transaction so that a killed process leaves the old state or the new one.
///
/// Every step starts from the rows the deleted sets reference and goes through an index
/// (`backup_items_by_version`, `backup_item_versions_by_payload`, the keys' unique index), so
/// the work grows with the sets deleted, never with the whole store (many tenants, long
/// histories).
enum BackupSetDeletion {
    /// A payload that deleting some sets would leave unreferenced.
    struct OrphanPayload: Hashable {
        var id: Int64
        var sha256: String
        var size: Int64
    }

    /// The rows that deleting some sets leaves unreferenced.
    struct Garbage {
        var versionIds: [Int64] = []
        var keyIds: [Int64] = []
        var payloads: [OrphanPayload] = []
    }

    /// Payloads referenced by `candidates` (sets to delete now) and by no set outside
    /// `excluded` (which includes `candidates`, plus sets an earlier step of a dry run would
    /// already have deleted). Read-only: usable for a dry run.
    static func orphanPayloads(
        _ db: Database, deleting candidates: [Int64], excluding excluded: [Int64]
    ) throws -> [OrphanPayload] {
        try garbage(db, deleting: candidates, excluding: excluded).payloads
    }

    /// The versions, keys and payloads that only sets in `excluded` reference, among those that
    /// `candidates` reference. Read-only.
    static func garbage(_ db: Database, deleting candidates: [Int64], excluding excluded: [Int64]) throws -> Garbage {
        if candidates.isEmpty { return Garbage() }
        // Versions whose every item is in an excluded set.
        let versions = try Row.fetchAll(
            db,
            sql: """
                SELECT v.id, v.key_id, v.payload_id FROM backup_item_versions v
                WHERE v.id IN (
                    SELECT DISTINCT version_id FROM backup_items
                    WHERE backup_set_id IN (SELECT value FROM json_each(?1)))
                AND NOT EXISTS (
                    SELECT 1 FROM backup_items i
                    WHERE i.version_id = v.id
                    AND i.backup_set_id NOT IN (SELECT value FROM json_each(?2)))
                ORDER BY v.id
                """,
            arguments: [jsonArray(candidates), jsonArray(excluded)])
        if versions.isEmpty { return Garbage() }
        let versionIds: [Int64] = versions.map { $0["id"] }
        let doomedVersions = jsonArray(versionIds)
        // Payloads and keys whose every version goes.
        let payloads = try Row.fetchAll(
            db,
            sql: """
                SELECT p.id, p.sha256, p.size FROM backup_payloads p
                WHERE p.id IN (SELECT value FROM json_each(?1))
                AND NOT EXISTS (
                    SELECT 1 FROM backup_item_versions v
                    WHERE v.payload_id = p.id AND v.id NOT IN (SELECT value FROM json_each(?2)))
                ORDER BY p.sha256
                """,
            arguments: [jsonArray(Set(versions.map { $0["payload_id"] as Int64 }).sorted()), doomedVersions]
        ).map { OrphanPayload(id: $0["id"], sha256: $0["sha256"], size: $0["size"]) }
        let keyIds = try Int64.fetchAll(
            db,
            sql: """
                SELECT k.id FROM backup_item_keys k
                WHERE k.id IN (SELECT value FROM json_each(?1))
                AND NOT EXISTS (
                    SELECT 1 FROM backup_item_versions v
                    WHERE v.key_id = k.id AND v.id NOT IN (SELECT value FROM json_each(?2)))
                ORDER BY k.id
                """,
            arguments: [jsonArray(Set(versions.map { $0["key_id"] as Int64 }).sorted()), doomedVersions])
        return Garbage(versionIds: versionIds, keyIds: keyIds, payloads: payloads)
    }

    /// Deletes the sets, their items, and the versions, payloads and keys left unreferenced.
    /// Returns the payloads removed. Must run inside a write transaction.
    @discardableResult
    static func delete(_ db: Database, setIds: [Int64]) throws -> [OrphanPayload] {
        if setIds.isEmpty { return [] }
        let garbage = try garbage(db, deleting: setIds, excluding: setIds)
        let ids = jsonArray(setIds)
        try db.execute(
            sql: "DELETE FROM backup_items WHERE backup_set_id IN (SELECT value FROM json_each(?))",
            arguments: [ids])
        try db.execute(
            sql: "DELETE FROM backup_sets WHERE id IN (SELECT value FROM json_each(?))",
            arguments: [ids])
        // Children before parents: the foreign keys are checked at each statement.
        try deleteRows(db, table: "backup_item_versions", ids: garbage.versionIds)
        try deleteRows(db, table: "backup_payloads", ids: garbage.payloads.map(\.id))
        try deleteRows(db, table: "backup_item_keys", ids: garbage.keyIds)
        return garbage.payloads
    }

    private static func deleteRows(_ db: Database, table: String, ids: [Int64]) throws {
        if ids.isEmpty { return }
        try db.execute(
            sql: "DELETE FROM \(table) WHERE id IN (SELECT value FROM json_each(?))", arguments: [jsonArray(ids)])
    }

    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
