import GRDB

/// A write transaction that deletes most of the backup sets (`Store.bulkDeletionWrite`: the
/// first retention of a long history, or rules lowered a long way).
///
/// Deleting nearly every row of `backup_items` and `backup_sets` one by one costs SQLite a
/// search of every index per row, and with foreign keys on, a search of each parent per item
/// and of each child table per set (over half the time). In this transaction the foreign keys
/// are off and checked once before the commit, on every table that refers to one a deletion of
/// sets removes rows from (`PRAGMA foreign_key_check`): a violation undoes the whole transaction
/// as an immediate check would have undone its statement. And the tables that hold the sets and
/// their items keep the survivors aside, are emptied whole (SQLite frees an emptied table's pages
/// at once when no foreign key is enforced), and get the survivors back: the work grows with
/// what stays, not with what goes.
///
/// Where SQLite was built to overwrite deleted content with zeros (`secure_delete`, on in
/// Debian's and Ubuntu's builds), the transaction asks for `FAST` instead: an emptied table's
/// freed pages are not each rewritten as zeros, through the WAL, which cost as much as the rest
/// of the deletion (67 MB of WAL for a 66 MB store). What they held leaves the file when the
/// space is given back right after (`releaseFreePages`: pages moved over them, the file cut).
///
/// `PRAGMA foreign_keys` has no effect inside a transaction, so the transaction is begun here,
/// on the writer's connection, and both pragmas restored on it afterwards whatever the outcome.
enum SQLiteBulkDeletion {
    /// The tables a deletion of sets removes rows from (`BackupSetDeletion`).
    static let deletedTables = [
        "backup_sets", "backup_items", "backup_item_versions", "backup_payloads", "backup_item_keys",
    ]

    /// Runs `body` in one IMMEDIATE transaction without foreign key enforcement, checks the
    /// references into `deletedTables` and commits; rolls back when `body` or the check throws.
    static func run<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let secureDelete = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        if secureDelete == 1 { try db.execute(sql: "PRAGMA secure_delete = FAST") }
        var value: T?
        let outcome = Result {
            try db.inTransaction(.immediate) {
                value = try body()
                try checkReferences(db)
                return .commit
            }
        }
        try db.execute(sql: "PRAGMA foreign_keys = ON")
        if secureDelete == 1 { try db.execute(sql: "PRAGMA secure_delete = ON") }
        try outcome.get()
        guard let value else {
            throw TenantPilotError.failed("a bulk deletion ended without running its body", code: .storeUnavailable)
        }
        return value
    }

    /// Throws `STORE_CORRUPT` when a row of a table with a foreign key into `deletedTables`
    /// names a row that is not there.
    static func checkReferences(_ db: Database) throws {
        let referring = try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT m.name FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
                WHERE m.type = 'table' AND f."table" IN (SELECT value FROM json_each(?))
                ORDER BY m.name
                """,
            arguments: [JSONColumn.text(deletedTables)])
        for table in referring {
            let violations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check(\(table.quotedDatabaseIdentifier))")
            guard let first = violations.first else { continue }
            let rowid: Int64? = try first.decode(atIndex: 1)
            let parent: String = try first.decode(atIndex: 2)
            throw TenantPilotError.failed(
                "deleting backup sets would leave \(violations.count) row(s) of \(table) naming rows of \(parent) "
                    + "that are gone (the first: rowid \(rowid.map(String.init) ?? "none")); nothing was deleted",
                code: .storeCorrupt)
        }
    }

    /// What the tables of one bulk deletion share: the sets that stay, found once for the items,
    /// the runs' references and the set rows (reading every set id is a tenth of a second for
    /// 400,000 sets).
    final class Scope {
        private var found: (doomed: [Int64], newest: Int64?, survivors: [Int64]?)?

        /// The ids of `backup_sets` other than `doomed` (sorted), ascending, when `doomed` are
        /// more than half of them; nil otherwise, when deleting row by row does less work.
        /// Asked again for the same sets, the answer stands as long as no set was added (the
        /// highest id is the same: ids only grow); a set deleted meanwhile is merely not found.
        func survivingSets(_ db: Database, doomed: [Int64]) throws -> [Int64]? {
            let newest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM backup_sets")
            if let found, found.newest == newest, found.doomed == doomed { return found.survivors }
            let all = try Int64.fetchAll(db, sql: "SELECT id FROM backup_sets ORDER BY id")
            var survivors: [Int64]?
            if doomed.count * 2 > all.count {
                // Both in order: one walk, no hashing of hundreds of thousands of ids.
                var kept: [Int64] = []
                var next = doomed.startIndex
                for id in all {
                    while next < doomed.endIndex, doomed[next] < id { next += 1 }
                    if next == doomed.endIndex || doomed[next] != id { kept.append(id) }
                }
                survivors = kept
            }
            found = (doomed, newest, survivors)
            return survivors
        }
    }

    /// Leaves in `table` only the rows whose `column` is one of `kept`: copies them to a
    /// temporary table, empties `table` and copies them back (ids and all, so an AUTOINCREMENT
    /// table's sequence is untouched and no id is used twice).
    static func keepOnly(_ db: Database, table: String, column: String, in kept: [Int64]) throws {
        let table = table.quotedDatabaseIdentifier
        try db.execute(sql: "DROP TABLE IF EXISTS temp.bulk_deletion_kept")
        try db.execute(
            sql: """
                CREATE TEMP TABLE bulk_deletion_kept AS
                SELECT * FROM main.\(table) WHERE \(column.quotedDatabaseIdentifier) IN (SELECT value FROM json_each(?))
                """,
            arguments: [SQLiteIds.json(kept)])
        try db.execute(sql: "DELETE FROM main.\(table)")
        try db.execute(sql: "INSERT INTO main.\(table) SELECT * FROM temp.bulk_deletion_kept")
        try db.execute(sql: "DROP TABLE temp.bulk_deletion_kept")
    }
}
