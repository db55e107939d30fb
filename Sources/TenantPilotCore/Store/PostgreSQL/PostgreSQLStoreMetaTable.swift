/// Every statement on `store_meta` (migration `v5_store_meta`).
struct PostgreSQLStoreMetaTable: StoreMetaTable {
    let connection: PostgreSQLConnection

    func value(_ key: StoreMetaKey) throws -> String? {
        try connection.row("SELECT value FROM store_meta WHERE key = $1", [key.rawValue])?.string("value")
    }

    func set(_ key: StoreMetaKey, _ value: String) throws {
        try connection.execute(
            "INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key.rawValue, value])
    }
}
