import Foundation
import GRDB

/// The `store_meta` table: a few facts about the store itself, by key — when dispatch last
/// ran and with which time-zone data — so that a clock stepped back or new zone rules are
/// noticed by the next dispatch.
public enum StoreMeta {
    public static let tableName = "store_meta"

    /// The keys in use.
    public enum Key: String, Sendable {
        /// The instant (ISO 8601) of the latest dispatch's clock.
        case lastDispatchAt = "last_dispatch_at"
        /// The time-zone data version (`2025b`) the schedules' next slots were computed with.
        case zoneDataVersion = "zone_data_version"
    }

    public static func value(_ db: Database, _ key: Key) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key.rawValue])
    }

    public static func set(_ db: Database, _ key: Key, _ value: String) throws {
        try db.execute(
            sql:
                "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [key.rawValue, value])
    }
}

extension StoreSchema {
    /// `v5_store_meta`: a key-value table of facts about the store (`StoreMeta`).
    static let v5StoreMeta = """
        CREATE TABLE store_meta (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """
}
