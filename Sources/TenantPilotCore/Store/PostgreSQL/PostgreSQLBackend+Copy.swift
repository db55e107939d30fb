import Foundation
import GRDB
import NIOCore

/// `store copy`'s side in PostgreSQL: the rows of a SQLite store written into this (empty) one.
/// The tables and their columns are read from this database's catalog — the same migrations
/// made them on both sides — so a table that a later migration adds is copied without a change
/// here.
extension PostgreSQLBackend {
    /// Who copied, when and from where: the `store.copied` entry.
    struct CopyAudit: Sendable {
        let actor: String
        let at: Date
        let source: String
    }

    /// Rows per statement at most, and payload bytes per statement at most.
    static let copyRowsPerStatement = 1_000
    static let copyBytesPerStatement = 8 * 1024 * 1024

    /// Copies every row in one transaction; returns the rows copied per table.
    func copy(from sqlite: SQLiteBackend, audit: CopyAudit, progress: (@Sendable (StoreCopy.Progress) -> Void)?)
        async -> Result<[String: Int], any Error>
    {
        let shown = location.displayURL
        return await onQueue { connection in
            try connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            do {
                // No other copy (nor migration) at the same time.
                try connection.query("SELECT pg_advisory_xact_lock($1, 1)", [PostgreSQLLockKey.migration])
                let tables = try Self.copyOrder(connection)
                for table in tables {
                    if try connection.row("SELECT EXISTS (SELECT 1 FROM \(table.quoted)) AS used")?.bool("used") == true
                    {
                        throw TenantPilotError.invalid(
                            "--to: \(shown) is not empty (table \(table.name) has rows); store copy only fills an empty store"
                        )
                    }
                }
                let copied = try sqlite.pool.read { db in
                    try Self.copyRows(of: tables, from: db, to: connection, progress: progress)
                }
                for table in tables where table.columns.contains(where: { $0.name == "id" && $0.isIdentity }) {
                    try connection.query(
                        "SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce((SELECT max(id) FROM \(table.quoted)), 0) + 1, false)",
                        [table.name])
                }
                let counts = copied.mapValues { JSONValue.int(Int64($0)) }
                try PostgreSQLAuditTable(connection: connection).record(
                    at: audit.at, actor: audit.actor, tenantId: nil, action: .storeCopied, resource: .store,
                    resourceId: nil,
                    metadata: [
                        "from": .string(audit.source), "rows": .object(counts),
                        "total_rows": .int(Int64(copied.values.reduce(0, +))),
                    ])
                try connection.execute("COMMIT")
                return copied
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// A table as the catalog describes it.
    struct CopiedTable: Sendable {
        struct Column: Sendable {
            let name: String
            /// `bigint`, `integer`, `text`, `boolean`, `bytea`.
            let type: String
            let isIdentity: Bool
        }
        let name: String
        let columns: [Column]

        var quoted: String { "\"\(name)\"" }
    }

    /// The store's tables (all but `schema_migrations`), each after the tables it references.
    static func copyOrder(_ connection: PostgreSQLConnection) throws -> [CopiedTable] {
        var columns: [String: [CopiedTable.Column]] = [:]
        for row in try connection.rows(
            """
            SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
            ORDER BY table_name, ordinal_position
            """)
        {
            columns[try row.string("table_name"), default: []].append(
                CopiedTable.Column(
                    name: try row.string("column_name"), type: try row.string("data_type"),
                    isIdentity: try row.string("is_identity") == "YES"))
        }
        var parents: [String: Set<String>] = [:]
        for row in try connection.rows(
            """
            SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
            FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
            """)
        {
            let child = try row.string("child")
            let parent = try row.string("parent")
            if child != parent { parents[child, default: []].insert(parent) }
        }
        var ordered: [CopiedTable] = []
        var placed = Set<String>()
        var remaining = columns.keys.sorted()
        while !remaining.isEmpty {
            guard let next = remaining.first(where: { parents[$0, default: []].isSubset(of: placed) }) else {
                throw TenantPilotError.failed("the store's tables reference each other in a circle: \(remaining)")
            }
            ordered.append(CopiedTable(name: next, columns: columns[next] ?? []))
            placed.insert(next)
            remaining.removeAll { $0 == next }
        }
        return ordered
    }

    /// Reads each table from the SQLite snapshot and inserts it in statements of many rows.
    private static func copyRows(
        of tables: [CopiedTable], from db: Database, to connection: PostgreSQLConnection,
        progress: (@Sendable (StoreCopy.Progress) -> Void)?
    ) throws -> [String: Int] {
        let sourceTables = Set(
            try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'"
            ))
        let targetTables = Set(tables.map(\.name))
        guard sourceTables == targetTables else {
            let only = sourceTables.symmetricDifference(targetTables).sorted().joined(separator: ", ")
            throw TenantPilotError.failed("the two stores do not have the same tables (\(only)); upgrade both first")
        }
        var totals: [String: Int] = [:]
        for table in tables {
            totals[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quoted)") ?? 0
        }
        let total = totals.values.reduce(0, +)
        var done = 0
        var copied: [String: Int] = [:]
        for table in tables {
            let names = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let order = table.columns.contains { $0.name == "id" } ? " ORDER BY id" : ""
            let rows = try Row.fetchCursor(db, sql: "SELECT \(names) FROM \(table.quoted)\(order)")
            var batch: [[any PostgreSQLValue]] = []
            var bytes = 0
            var count = 0
            func flush() throws {
                guard !batch.isEmpty else { return }
                try insert(batch, into: table, names: names, connection: connection)
                count += batch.count
                done += batch.count
                batch.removeAll(keepingCapacity: true)
                bytes = 0
                progress?(StoreCopy.Progress(table: table.name, rowsCopied: done, rowsTotal: total))
            }
            while let row = try rows.next() {
                var values: [any PostgreSQLValue] = []
                for (index, column) in table.columns.enumerated() {
                    let value = try Self.value(row[index] as DatabaseValue, as: column, table: table.name)
                    if let data = value as? Data { bytes += data.count }
                    values.append(value)
                }
                batch.append(values)
                if batch.count >= copyRowsPerStatement || bytes >= copyBytesPerStatement { try flush() }
            }
            try flush()
            copied[table.name] = count
        }
        return copied
    }

    private static func insert(
        _ batch: [[any PostgreSQLValue]], into table: CopiedTable, names: String, connection: PostgreSQLConnection
    ) throws {
        let width = table.columns.count
        let tuples = (0..<batch.count).map { row in
            "(" + (1...width).map { "$\(row * width + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
        let overriding = table.columns.contains { $0.isIdentity } ? " OVERRIDING SYSTEM VALUE" : ""
        try connection.execute(
            "INSERT INTO \(table.quoted) (\(names))\(overriding) VALUES \(tuples)", batch.flatMap { $0 })
    }

    /// A SQLite value as the PostgreSQL column takes it: integers, text, flags (0/1), bytes.
    private static func value(_ value: DatabaseValue, as column: CopiedTable.Column, table: String) throws
        -> any PostgreSQLValue
    {
        if value.isNull { return PostgreSQLNull() }
        switch (column.type, value.storage) {
        case ("bigint", .int64(let number)), ("integer", .int64(let number)): return number
        case ("boolean", .int64(let number)): return number != 0
        case ("text", .string(let text)): return text
        case ("text", .int64(let number)): return String(number)
        case ("bytea", .blob(let data)): return data
        case ("bytea", .string(let text)): return Data(text.utf8)
        default:
            throw TenantPilotError.failed(
                "\(table).\(column.name) holds \(value) in the SQLite store, which a \(column.type) column cannot take",
                code: .storeCorrupt)
        }
    }
}
