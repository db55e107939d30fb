import GRDB

// MARK: - v6_certificate_credentials (issue 13, docs/operations.md §2)
//
// Kept apart from the other migrations so that branches adding theirs merge without touching
// this one: `StoreSchema.migrator` registers it last with one line.

extension StoreSchema {
    static let certificateCredentialsMigration = "v6_certificate_credentials"

    /// A tenant's credential becomes one of three: a secret's environment variable, a secret's
    /// file, or a certificate (`certificate_file`, with `private_key_file` when the key is in a
    /// file of its own). SQLite cannot change a CHECK in place, so `tenants` is rebuilt the
    /// documented way (create, copy, drop, rename), with foreign keys off as GRDB runs
    /// migrations and checked before commit. The rebuild starts from the table's own schema, so
    /// columns and indexes that other migrations added are carried over as they are.
    static func migrateToCertificateCredentials(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE tenants ADD COLUMN certificate_file TEXT")
        try db.execute(sql: "ALTER TABLE tenants ADD COLUMN private_key_file TEXT")
        guard
            let create = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tenants'")
        else { throw DatabaseError(message: "v6_certificate_credentials: the tenants table is missing") }
        let oldCheck = "CHECK ((secret_env IS NULL) <> (secret_file IS NULL))"
        guard create.contains(oldCheck),
            create.hasPrefix("CREATE TABLE tenants") || create.hasPrefix("CREATE TABLE \"tenants\"")
        else { throw DatabaseError(message: "v6_certificate_credentials: the tenants table has an unexpected schema") }
        let newCheck = """
            CHECK ((secret_env IS NOT NULL) + (secret_file IS NOT NULL) + (certificate_file IS NOT NULL) = 1),
                CHECK (private_key_file IS NULL OR certificate_file IS NOT NULL)
            """
        var rebuilt = create.replacingOccurrences(of: oldCheck, with: newCheck)
        rebuilt = rebuilt.replacingOccurrences(of: "CREATE TABLE \"tenants\"", with: "CREATE TABLE tenants_v6")
        rebuilt = rebuilt.replacingOccurrences(of: "CREATE TABLE tenants", with: "CREATE TABLE tenants_v6")
        let indexes = try String.fetchAll(
            db,
            sql:
                "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'tenants' AND sql IS NOT NULL"
        )
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(tenants)").map { row -> String in
            let name: String = row["name"]
            return "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\""
        }.joined(separator: ", ")
        try db.execute(sql: rebuilt)
        try db.execute(sql: "INSERT INTO tenants_v6 (\(columns)) SELECT \(columns) FROM tenants")
        try db.execute(sql: "DROP TABLE tenants")
        try db.execute(sql: "ALTER TABLE tenants_v6 RENAME TO tenants")
        for statement in indexes { try db.execute(sql: statement) }
    }
}
