import Foundation
import GRDB
import GraphSimulator
import TenantPilotTestSupport
import Testing

/// The store a test runs the binary against: a SQLite file of its own, or a database of its
/// own on the tests' PostgreSQL server (`scripts/test` starts one).
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgreSQL

    /// SQLite, and PostgreSQL when the tests have a server.
    static var available: [TestBackend] { TestPostgreSQLServer.current == nil ? [.sqlite] : [.sqlite, .postgreSQL] }

    var testDescription: String { rawValue }
}

/// Runs the real `tenantpilot` binary, as a user's script would, in a folder of its own.
final class CLI: @unchecked Sendable {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        /// stdout parsed as the one JSON document it must be.
        func json() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            guard let dictionary = object as? [String: Any] else { throw CLIError.notAnObject(stdout) }
            return dictionary
        }
    }

    enum CLIError: Error { case notAnObject(String) }

    let folder: URL
    var environment: [String: String]
    let backend: TestBackend
    /// The PostgreSQL database of a `.postgreSQL` CLI.
    let database: TestDatabase?

    convenience init() {
        self.init(backend: .sqlite, database: nil)
    }

    /// A CLI whose store is on `backend` (for PostgreSQL a new database, its password in
    /// `PGPASSWORD`).
    convenience init(_ backend: TestBackend) throws {
        switch backend {
        case .sqlite:
            self.init(backend: .sqlite, database: nil)
        case .postgreSQL:
            guard let server = TestPostgreSQLServer.current else {
                throw TestPostgreSQLError(message: "no PostgreSQL test server (run scripts/test)", sql: "")
            }
            self.init(backend: .postgreSQL, database: try server.makeDatabase())
        }
    }

    private init(backend: TestBackend, database: TestDatabase?) {
        self.backend = backend
        self.database = database
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tenantpilot-e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        environment = ProcessInfo.processInfo.environment
        environment["TENANTPILOT_DB"] = folder.appendingPathComponent("state/tenantpilot.sqlite").path
        environment["TENANTPILOT_NOW"] = nil
        environment["TENANTPILOT_POLICY_TYPES"] = nil
        environment["TENANTPILOT_HOST"] = nil
        environment["PGPASSWORD"] = nil
        environment["PGPASSFILE"] = folder.appendingPathComponent("no-pgpass").path
        environment["USER"] = "tester"
        environment["SUDO_USER"] = nil
        if let database {
            environment["TENANTPILOT_DB"] = database.url
            environment["PGPASSWORD"] = database.password
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    var databasePath: String { environment["TENANTPILOT_DB"] ?? "" }

    /// Creates the store the way a user does, with `tenants add` (the commands that only read or
    /// change a store refuse a missing one): a tenant whose secret is read from `$SECRET`.
    @discardableResult
    func createStore(tenant: String = "contoso") throws -> Result {
        let result = try run([
            "tenants", "add", "--name", tenant, "--tenant-id", "11111111-2222-3333-4444-555555555555",
            "--client-id", "app", "--client-secret-env", "SECRET",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return result
    }

    /// The build products folder: where the test bundle itself lives.
    static var productsFolder: URL {
        if let override = ProcessInfo.processInfo.environment["TENANTPILOT_PRODUCTS"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // swift-testing on Linux runs …/debug/TenantPilotPackageTests.xctest; on macOS the bundle is a folder.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("tenantpilot").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    static var binary: URL { productsFolder.appendingPathComponent("tenantpilot") }

    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = folder
        let outURL = folder.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errURL = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExitWithoutSpinning()
        try out.close()
        try err.close()
        let result = Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        return result
    }

    /// The integer a query returns, read behind the binary's back from whichever store it uses
    /// (0 while a SQLite store does not exist yet).
    func scalar(_ sql: String) throws -> Int {
        if let database { return try database.scalar(sql) }
        guard FileManager.default.fileExists(atPath: databasePath) else { return 0 }
        let queue = try DatabaseQueue(path: databasePath)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// Changes the store behind the binary's back, as an older binary or a hand edit would.
    func execute(_ sql: String) throws {
        if let database {
            try database.query(sql)
            return
        }
        let queue = try DatabaseQueue(path: databasePath)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    /// Every row of every table, as text: what "the database is unchanged in content" compares.
    func databaseContent() throws -> String {
        if let database {
            var lines: [String] = []
            let tables = try database.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
            for table in tables.split(separator: "\n") where table != "schema_migrations" {
                let rows = try database.query("SELECT r::text FROM \"\(table)\" r ORDER BY 1")
                lines += rows.split(separator: "\n").map { "\(table): \($0)" }
            }
            return lines.joined(separator: "\n")
        }
        let queue = try DatabaseQueue(path: databasePath)
        defer { try? queue.close() }
        return try queue.read { db in
            var lines: [String] = []
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            {
                // By primary key: `backup_items` is a WITHOUT ROWID table.
                let order = try db.primaryKey(table).columns.map { "\"\($0)\"" }.joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY \(order)") {
                    lines.append("\(table): \(row.description)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
