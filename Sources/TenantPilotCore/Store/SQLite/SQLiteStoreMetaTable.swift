import GRDB

/// Every statement on `store_meta` (migration `v5_store_meta`).
struct SQLiteStoreMetaTable: StoreMetaTable {
    let db: Database

    func value(_ key: StoreMetaKey) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key.rawValue])
    }

    func set(_ key: StoreMetaKey, _ value: String) throws {
        try db.execute(
            sql:
                "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [key.rawValue, value])
    }
}

extension StoreSchema {
    /// `v5_store_meta`: a key-value table of facts about the store (`StoreMetaTable`).
    static let v5StoreMeta = """
        CREATE TABLE store_meta (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """
}
