import Foundation

/// The PostgreSQL server of the tests (`scripts/test-postgres`, started by `scripts/test`): a
/// fresh database per test, and `psql` to arrange or inspect rows behind the binary's back.
/// Without the server (a bare `swift test`) the PostgreSQL cases are left out — unless
/// `TENANTPILOT_REQUIRE_POSTGRES` is set, as `scripts/test` sets it, and then its absence fails.
public struct TestPostgreSQLServer: Sendable {
    /// `postgresql://tenantpilot@127.0.0.1:PORT/postgres`: a user that may create databases.
    public let adminURL: String
    public let password: String
    public let psql: String

    /// The server from the environment, if there is one.
    public static let current: TestPostgreSQLServer? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["TENANTPILOT_TEST_POSTGRES"], !url.isEmpty,
            let password = environment["TENANTPILOT_TEST_POSTGRES_PASSWORD"],
            let psql = environment["TENANTPILOT_TEST_PSQL"]
        else { return nil }
        return TestPostgreSQLServer(adminURL: url, password: password, psql: psql)
    }()

    /// Whether the PostgreSQL cases must run (and fail when the server is missing).
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["TENANTPILOT_REQUIRE_POSTGRES"].map { !$0.isEmpty } ?? false
    }

    /// A new, empty database of its own.
    public func makeDatabase() throws -> TestDatabase {
        let name = "tp_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try run(adminURL, "CREATE DATABASE \(name)")
        let base = adminURL.hasSuffix("/postgres") ? String(adminURL.dropLast("/postgres".count)) : adminURL
        return TestDatabase(server: self, name: name, url: base + "/" + name)
    }

    /// Runs SQL through psql on `url`; returns its unaligned output.
    func run(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestPostgreSQLError(message: String(decoding: errors, as: UTF8.self), sql: sql)
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// One test's database, dropped when the value goes away.
public final class TestDatabase: @unchecked Sendable {
    public let server: TestPostgreSQLServer
    public let name: String
    /// `postgresql://tenantpilot@127.0.0.1:PORT/tp_…`, for `--db` or `TENANTPILOT_DB`.
    public let url: String

    init(server: TestPostgreSQLServer, name: String, url: String) {
        self.server = server
        self.name = name
        self.url = url
    }

    /// The password for `PGPASSWORD`.
    public var password: String { server.password }

    /// Runs SQL; returns psql's unaligned output (rows on lines, columns split by `|`).
    @discardableResult
    public func query(_ sql: String) throws -> String {
        try server.run(url, sql)
    }

    /// The integer a query returns.
    public func scalar(_ sql: String) throws -> Int {
        let text = try query(sql)
        guard let value = Int(text) else { throw TestPostgreSQLError(message: "not an integer: \(text)", sql: sql) }
        return value
    }

    deinit {
        _ = try? server.run(server.adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

public struct TestPostgreSQLError: Error, CustomStringConvertible {
    public let message: String
    public let sql: String

    public init(message: String, sql: String) {
        self.message = message
        self.sql = sql
    }
    public var description: String { "psql failed on \(sql): \(message)" }
}
