import GRDB

extension StoreSchema {
    /// Rebuilds `table` with its stored `CREATE TABLE` text edited by `replacing` (each text must
    /// occur), keeping every row, id and index: SQLite cannot change a column's constraints in
    /// place, so the table is rebuilt the documented way (create, copy, drop, rename) from its own
    /// stored schema, which carries over what every earlier migration added. `migration` names the
    /// caller in errors and in the temporary table's name (`tenants_v8`). GRDB runs migrations with
    /// foreign keys off and checks them all before commit.
    static func rebuild(
        _ db: Database, table: String, for migration: String, replacing edits: [(String, String)]
    ) throws {
        guard
            let create = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table])
        else { throw DatabaseError(message: "\(migration): the \(table) table is missing") }
        var rebuilt = create
        for (old, new) in edits {
            guard rebuilt.contains(old) else {
                throw DatabaseError(message: "\(migration): the \(table) table has an unexpected schema")
            }
            rebuilt = rebuilt.replacingOccurrences(of: old, with: new)
        }
        let temporary = "\(table)_" + (migration.split(separator: "_").first.map(String.init) ?? "rebuilt")
        for prefix in ["CREATE TABLE \"\(table)\"", "CREATE TABLE \(table)"] where rebuilt.hasPrefix(prefix) {
            rebuilt = "CREATE TABLE \(temporary)" + rebuilt.dropFirst(prefix.count)
            break
        }
        guard rebuilt.hasPrefix("CREATE TABLE \(temporary)") else {
            throw DatabaseError(message: "\(migration): the \(table) table has an unexpected schema")
        }
        let indexes = try String.fetchAll(
            db,
            sql: """
                SELECT sql FROM sqlite_master
                WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL
                """,
            arguments: [table])
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { row -> String in
            let name: String = row["name"]
            return "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\""
        }.joined(separator: ", ")
        // An AUTOINCREMENT table's high-water mark: without it, the copy would hand out again the
        // ids of the newest rows deleted before the rebuild (a purged tenant's last runs, say).
        let hasSequences =
            try Bool.fetchOne(
                db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
            ?? false
        let highWater =
            hasSequences
            ? try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) : nil
        try db.execute(sql: rebuilt)
        try db.execute(sql: "INSERT INTO \(temporary) (\(columns)) SELECT \(columns) FROM \(table)")
        try db.execute(sql: "DROP TABLE \(table)")
        try db.execute(sql: "ALTER TABLE \(temporary) RENAME TO \(table)")
        for statement in indexes { try db.execute(sql: statement) }
        if let highWater {
            let copied =
                try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table]) ?? 0
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = ?", arguments: [table])
            try db.execute(
                sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                arguments: [table, max(highWater, copied)])
        }
    }
}
