import ArgumentParser
import Foundation
import GRDB
import GraphSimulator
import TenantPilotCore
import TenantPilotTestSupport

/// `dispatch`: whole `tenantpilot dispatch` processes on SQLite and on PostgreSQL —
/// (1) over 100,000 schedules none of which is due, against the same process over a store of one
/// schedule (the baseline: process start, store open, one indexed query); (2) with 1,000
/// schedules due at once against the simulator at zero latency: one process on SQLite, then one
/// and three processes (distinct host names, started together as cron would on three hosts) on
/// PostgreSQL.
///
/// The due schedules are spread over 100 tenants: Graph's limit (1,000 requests per 20 s per
/// app and tenant, which the client's pacer keeps to in each process) would otherwise bound the
/// runs of one tenant, and the store would not be what is measured. PostgreSQL needs the
/// tests' server (`scripts/test-postgres`, which `scripts/bench` starts).
struct DispatchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "dispatch with 100,000 schedules none due, and with 1,000 due; prints a Markdown section."
    )

    @Option(help: "Schedules in the store, none due.") var schedules = 100_000
    @Option(help: "Schedules due at once against the simulator.") var due = 1_000
    @Option(help: "Tenants the due schedules are spread over.") var tenants = 100
    @Option(help: "Repetitions of the none-due process (the median is reported).") var repetitions = 15
    @Option(help: "Concurrency of each dispatch that executes the due runs.") var concurrency = 8
    @Option(help: "Dispatch processes at once on PostgreSQL.") var hosts = 3

    static func tenantGuid(_ index: Int) -> String {
        String(format: "0a1b2c3d-4e5f-4a6b-8c7d-%012x", index)
    }

    func run() async throws {
        let binary = ProcessInfo.processInfo.environment["TENANTPILOT_BIN"] ?? "tenantpilot"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tp-bench-dispatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = TestPostgreSQLServer.current
        let copier = StoreCopier(binary: binary, server: server)

        // (1) None due.
        let big = folder.appendingPathComponent("big.sqlite").path
        let small = folder.appendingPathComponent("small.sqlite").path
        try await Self.seed(
            path: big, schedules: schedules, tenants: 1, graphURL: "http://127.0.0.1:9",
            nextRunAt: "2030-01-01T02:00:00Z")
        try await Self.seed(
            path: small, schedules: 1, tenants: 1, graphURL: "http://127.0.0.1:9", nextRunAt: "2030-01-01T02:00:00Z")
        let now = "2026-06-01T12:00:00Z"
        var noneDue: [(store: String, big: Double, small: Double)] = []
        noneDue.append(
            (
                "SQLite",
                try Self.median(binary, ["dispatch", "--db", big, "--now", now], repetitions),
                try Self.median(binary, ["dispatch", "--db", small, "--now", now], repetitions)
            ))
        if let server {
            let bigURL = try copier.copy(big)
            let smallURL = try copier.copy(small)
            let environment = ["PGPASSWORD": server.password]
            noneDue.append(
                (
                    "PostgreSQL",
                    try Self.median(binary, ["dispatch", "--db", bigURL, "--now", now], repetitions, environment),
                    try Self.median(binary, ["dispatch", "--db", smallURL, "--now", now], repetitions, environment)
                ))
        }

        // (2) Due against the simulator.
        let specs = Dictionary(
            uniqueKeysWithValues: (0..<tenants).map {
                (Self.tenantGuid($0), SimulatedTenantSpec.counts(["deviceConfiguration": 3, "assignmentFilter": 2]))
            })
        let simulator = try await GraphSimulator.start(
            GraphSimulator.Configuration(seed: 3, tenants: specs, clientSecret: "bench-secret"))
        // 12:00Z is 14:00 in Berlin in June: a slot of "0 */2 * * *".
        let dueTimetable = #"{"cron":"0 */2 * * *"}"#
        let dueStore = folder.appendingPathComponent("due.sqlite").path
        try await Self.seed(
            path: dueStore, schedules: due, tenants: tenants, graphURL: simulator.baseURL.absoluteString,
            nextRunAt: "2026-06-01T12:00:00Z", timetable: dueTimetable)
        let pristine = folder.appendingPathComponent("due-pristine.sqlite").path
        try FileManager.default.copyItem(atPath: dueStore, toPath: pristine)
        let dispatch = ["dispatch", "--now", "2026-06-01T12:00:10Z", "--concurrency", String(concurrency)]
        let secret = ["BENCH_SECRET": "bench-secret"]
        var dueRows: [DueRow] = []

        simulator.resetRequestCounts()
        let sqliteTime = try Self.together(binary, [dispatch + ["--db", dueStore]], secret)
        dueRows.append(
            DueRow(
                store: "SQLite", processes: 1, seconds: sqliteTime, outcome: try Self.outcome(sqlite: dueStore),
                requests: simulator.requestCounts.http))
        if let server {
            for processes in Set([1, hosts]).sorted() {
                let url = try copier.copy(pristine)
                simulator.resetRequestCounts()
                let seconds = try Self.together(
                    binary, (0..<processes).map { dispatch + ["--db", url, "--host-for-bench", "host-\($0)"] },
                    secret.merging(["PGPASSWORD": server.password]) { $1 })
                dueRows.append(
                    DueRow(
                        store: "PostgreSQL", processes: processes, seconds: seconds,
                        outcome: try Self.outcome(postgreSQL: copier.database(url)),
                        requests: simulator.requestCounts.http))
            }
        }
        await simulator.stop()
        report(noneDue: noneDue, due: dueRows, postgreSQL: server != nil)
    }

    struct DueRow {
        let store: String
        let processes: Int
        let seconds: Double
        let outcome: Outcome
        let requests: Int
    }

    /// What the due runs came to.
    struct Outcome {
        var runs = 0
        var succeeded = 0
        var concurrentRuns = 0
        /// Runs per host, for PostgreSQL: how the claims spread.
        var hosts: [Int] = []
    }

    private func report(
        noneDue: [(store: String, big: Double, small: Double)], due rows: [DueRow], postgreSQL: Bool
    ) {
        print("### dispatch")
        print("")
        print("Whole `tenantpilot dispatch` processes (start, open the store, work, exit), release build.")
        print("")
        print("| store | case | wall time | baseline (same run) | ratio |")
        print("|---|---|---:|---:|---:|")
        for row in noneDue {
            print(
                "| \(row.store) | \(schedules) schedules, none due (median of \(repetitions)) | \(Self.ms(row.big)) | \(Self.ms(row.small)) with 1 schedule | \(String(format: "%.2f×", row.big / row.small)) |"
            )
        }
        print("")
        print(
            "\(due) schedules due at once over \(tenants) tenants, simulator at 0 ms, each process `--concurrency \(concurrency)`; "
                + "the processes start together and the time runs until the last has exited:")
        print("")
        print(
            "| store | processes | wall time | runs per second | runs | success | CONCURRENT_RUN | runs per process | HTTP requests |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
        for row in rows {
            let spread = row.outcome.hosts.isEmpty ? "-" : row.outcome.hosts.map(String.init).joined(separator: " / ")
            print(
                "| \(row.store) | \(row.processes) | \(Self.ms(row.seconds)) | \(String(format: "%.1f", Double(row.outcome.runs) / row.seconds)) | \(row.outcome.runs) | \(row.outcome.succeeded) | \(row.outcome.concurrentRuns) | \(spread) | \(row.requests) |"
            )
        }
        print("")
        print(
            "Targets: none due under 50 ms a dispatch on SQLite and under 100 ms on PostgreSQL; exactly \(due) runs, "
                + "each once, none a false CONCURRENT_RUN, whatever the number of dispatchers. Each run: token, list and "
                + "capture 2 types, a content-addressed set, retention, audit. Spreading the schedules over \(tenants) "
                + "tenants keeps every tenant under Graph's 1,000 requests per 20 s, so the pacer never waits and the "
                + "store is what is measured.")
        if !postgreSQL {
            print("")
            print("_No PostgreSQL server was configured (TENANTPILOT_TEST_POSTGRES): its rows are missing._")
        }
    }

    /// A store with `tenants` tenants and `schedules` schedules spread over them, all with the
    /// given next slot. The timetables vary by default; `timetable` pins one (a due slot must be
    /// a slot of it).
    static func seed(
        path: String, schedules: Int, tenants: Int, graphURL: String, nextRunAt: String, timetable: String? = nil
    ) async throws {
        try await BenchStore.seed(path: path) { db in
            let tenant = try db.makeStatement(
                sql: """
                    INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES (?, ?, 'bench-app', 'BENCH_SECRET', ?, ?, '2026-01-01T00:00:00Z')
                    """)
            for index in 0..<tenants {
                try tenant.execute(arguments: ["bench-\(index)", tenantGuid(index), graphURL, graphURL])
            }
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, enabled, timezone, timetable, policy_types, keep_last,
                        next_run_at, created_at, updated_at)
                    VALUES (?, ?, 1, 'Europe/Berlin', ?, '["deviceConfiguration","assignmentFilter"]', 5, ?, '2026-01-01T00:00:00Z',
                        '2026-01-01T00:00:00Z')
                    """)
            for index in 0..<schedules {
                let varied = #"{"cron":"\#(index % 60) */2 * * *"}"#
                try insert.execute(arguments: [
                    index % tenants + 1, "schedule-\(index)", timetable ?? varied, nextRunAt,
                ])
            }
        }
    }

    /// Starts one process per argument list at once; returns the seconds until the last exited.
    static func together(_ binary: String, _ argumentLists: [[String]], _ environment: [String: String]) throws
        -> Double
    {
        let processes = argumentLists.map { arguments -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            var arguments = arguments
            var variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            // `--host-for-bench NAME` becomes TENANTPILOT_HOST: each process a host of its own.
            if let flag = arguments.firstIndex(of: "--host-for-bench") {
                variables[HostIdentity.overrideVariable] = arguments[flag + 1]
                arguments.removeSubrange(flag...(flag + 1))
            }
            process.arguments = arguments
            process.environment = variables
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExitWithoutSpinning() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func median(
        _ binary: String, _ arguments: [String], _ repetitions: Int, _ environment: [String: String] = [:]
    )
        throws -> Double
    {
        let times = try (0..<repetitions).map { _ in try together(binary, [arguments], environment) }
        return times.sorted()[times.count / 2]
    }

    static func outcome(sqlite path: String) throws -> Outcome {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            Outcome(
                runs: try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_schedule_runs") ?? 0,
                succeeded: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM backup_schedule_runs WHERE status = 'success'")
                    ?? 0,
                concurrentRuns: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM backup_schedule_runs WHERE error_code = 'CONCURRENT_RUN'") ?? 0)
        }
    }

    static func outcome(postgreSQL database: TestDatabase) throws -> Outcome {
        let hosts = try database.query("SELECT count(*) FROM backup_schedule_runs GROUP BY host ORDER BY 1 DESC")
        return Outcome(
            runs: try database.scalar("SELECT count(*) FROM backup_schedule_runs"),
            succeeded: try database.scalar("SELECT count(*) FROM backup_schedule_runs WHERE status = 'success'"),
            concurrentRuns: try database.scalar(
                "SELECT count(*) FROM backup_schedule_runs WHERE error_code = 'CONCURRENT_RUN'"),
            hosts: hosts.split(separator: "\n").compactMap { Int($0) })
    }

    static func ms(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.2f s", seconds)
    }
}

/// Copies a seeded SQLite store into a new database of the PostgreSQL server with the binary's
/// own `store copy`, and keeps the databases for reading their outcome.
final class StoreCopier {
    let binary: String
    let server: TestPostgreSQLServer?
    private var databases: [String: TestDatabase] = [:]

    init(binary: String, server: TestPostgreSQLServer?) {
        self.binary = binary
        self.server = server
    }

    /// The new database's URL.
    func copy(_ path: String) throws -> String {
        guard let server else { throw ValidationError("no PostgreSQL server") }
        let database = try server.makeDatabase()
        databases[database.url] = database
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["store", "copy", "--from", path, "--to", database.url]
        process.environment = ProcessInfo.processInfo.environment.merging(["PGPASSWORD": server.password]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExitWithoutSpinning()
        guard process.terminationStatus == 0 else { throw ValidationError("store copy of \(path) failed") }
        // Fresh statistics, as autovacuum would have them on a store in use.
        try database.query("ANALYZE")
        return database.url
    }

    func database(_ url: String) throws -> TestDatabase {
        guard let database = databases[url] else { throw ValidationError("no database \(url)") }
        return database
    }
}
