import Foundation
import GRDB

/// Deleting backup sets together with their items and the payloads nothing references any
/// more. Shared by retention and by the discarding of abandoned sets; always runs inside the
/// caller's write transaction so that a killed process leaves the old state or the new one.
enum BackupSetDeletion {
    /// A payload that deleting some sets would leave unreferenced.
    struct OrphanPayload: Hashable {
        var sha256: String
        var size: Int64
    }

    /// Payloads referenced by `candidates` (sets to delete now) and by no set outside
    /// `excluded` (which includes `candidates`, plus sets an earlier step of a dry run would
    /// already have deleted). Read-only: usable for a dry run.
    static func orphanPayloads(
        _ db: Database, deleting candidates: [Int64], excluding excluded: [Int64]
    ) throws -> [OrphanPayload] {
        if candidates.isEmpty { return [] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.sha256, p.size FROM backup_payloads p
                WHERE p.sha256 IN (
                    SELECT DISTINCT payload_sha256 FROM backup_items
                    WHERE backup_set_id IN (SELECT value FROM json_each(?1)))
                AND NOT EXISTS (
                    SELECT 1 FROM backup_items i
                    WHERE i.payload_sha256 = p.sha256
                    AND i.backup_set_id NOT IN (SELECT value FROM json_each(?2)))
                ORDER BY p.sha256
                """,
            arguments: [jsonArray(candidates), jsonArray(excluded)])
        return rows.map { OrphanPayload(sha256: $0["sha256"], size: $0["size"]) }
    }

    /// Deletes the sets, their items, and the payloads left unreferenced. Returns the payloads
    /// removed. Must run inside a write transaction.
    @discardableResult
    static func delete(_ db: Database, setIds: [Int64]) throws -> [OrphanPayload] {
        if setIds.isEmpty { return [] }
        let orphans = try orphanPayloads(db, deleting: setIds, excluding: setIds)
        let ids = jsonArray(setIds)
        try db.execute(
            sql: "DELETE FROM backup_items WHERE backup_set_id IN (SELECT value FROM json_each(?))",
            arguments: [ids])
        try db.execute(
            sql: "DELETE FROM backup_sets WHERE id IN (SELECT value FROM json_each(?))",
            arguments: [ids])
        if !orphans.isEmpty {
            let shas = String(
                decoding: JSONValue.array(orphans.map { .string($0.sha256) }).canonicalData(), as: UTF8.self)
            try db.execute(
                sql: "DELETE FROM backup_payloads WHERE sha256 IN (SELECT value FROM json_each(?))",
                arguments: [shas])
        }
        return orphans
    }

    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
