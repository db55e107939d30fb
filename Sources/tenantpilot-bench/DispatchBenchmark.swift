import ArgumentParser
import Foundation
import GRDB
import GraphSimulator
import TenantPilotCore

/// `dispatch`: the whole `tenantpilot dispatch` process, (1) over 100,000 schedules none of
/// which is due, against the same process over a store of one schedule (the baseline: process
/// start, store open, one indexed query); (2) with 1,000 schedules due at once against the
/// simulator at zero latency.
struct DispatchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "dispatch with 100,000 schedules none due, and with 1,000 due; prints a Markdown section."
    )

    @Option(help: "Schedules in the store, none due.") var schedules = 100_000
    @Option(help: "Schedules due at once against the simulator.") var due = 1_000
    @Option(help: "Repetitions of the none-due process (the median is reported).") var repetitions = 15
    @Option(help: "Concurrency of the dispatch that executes the due runs.") var concurrency = 8

    static let tenantGuid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

    func run() async throws {
        let binary = ProcessInfo.processInfo.environment["TENANTPILOT_BIN"] ?? "tenantpilot"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tp-bench-dispatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        // (1) None due.
        let big = folder.appendingPathComponent("big.sqlite").path
        let small = folder.appendingPathComponent("small.sqlite").path
        try await Self.seed(
            path: big, schedules: schedules, graphURL: "http://127.0.0.1:9", nextRunAt: "2030-01-01T02:00:00Z")
        try await Self.seed(
            path: small, schedules: 1, graphURL: "http://127.0.0.1:9", nextRunAt: "2030-01-01T02:00:00Z")
        let now = "2026-06-01T12:00:00Z"
        let bigTimes = try (0..<repetitions).map { _ in
            try Self.time(binary, ["dispatch", "--db", big, "--now", now], environment: [:])
        }
        let smallTimes = try (0..<repetitions).map { _ in
            try Self.time(binary, ["dispatch", "--db", small, "--now", now], environment: [:])
        }
        let bigMedian = Self.median(bigTimes)
        let smallMedian = Self.median(smallTimes)

        // (2) Due against the simulator.
        let simulator = try await GraphSimulator.start(
            GraphSimulator.Configuration(
                seed: 3, tenants: [Self.tenantGuid: .counts(["deviceConfiguration": 3, "assignmentFilter": 2])],
                clientSecret: "bench-secret"))
        let dueStore = folder.appendingPathComponent("due.sqlite").path
        let oneStore = folder.appendingPathComponent("one.sqlite").path
        // 12:00Z is 14:00 in Berlin in June: a slot of "0 */2 * * *".
        let dueTimetable = #"{"cron":"0 */2 * * *"}"#
        try await Self.seed(
            path: dueStore, schedules: due, graphURL: simulator.baseURL.absoluteString,
            nextRunAt: "2026-06-01T12:00:00Z",
            timetable: dueTimetable)
        try await Self.seed(
            path: oneStore, schedules: 1, graphURL: simulator.baseURL.absoluteString, nextRunAt: "2026-06-01T12:00:00Z",
            timetable: dueTimetable)
        let environment = ["BENCH_SECRET": "bench-secret"]
        let oneTime = try Self.time(
            binary,
            ["dispatch", "--db", oneStore, "--now", "2026-06-01T12:00:10Z", "--concurrency", String(concurrency)],
            environment: environment)
        simulator.resetRequestCounts()
        let dueTime = try Self.time(
            binary,
            ["dispatch", "--db", dueStore, "--now", "2026-06-01T12:00:10Z", "--concurrency", String(concurrency)],
            environment: environment)
        let requests = simulator.requestCounts.http
        await simulator.stop()
        let (succeeded, total) = try Self.outcome(dueStore)

        print("### dispatch")
        print("")
        print("Whole `tenantpilot dispatch` processes (start, open the store, work, exit), release build.")
        print("")
        print("| case | wall time | baseline (same run) | ratio |")
        print("|---|---:|---:|---:|")
        print(
            "| \(schedules) schedules, none due (median of \(repetitions)) | \(Self.ms(bigMedian)) | \(Self.ms(smallMedian)) with 1 schedule | \(String(format: "%.2f×", bigMedian / smallMedian)) |"
        )
        print(
            "| \(due) schedules due, simulator at 0 ms, --concurrency \(concurrency) | \(Self.ms(dueTime)) | \(Self.ms(oneTime)) with 1 due | \(String(format: "%.0f×", dueTime / oneTime)) |"
        )
        print("")
        print(
            "Targets: none due under 50 ms for the whole process. The \(due) due runs: \(succeeded) of \(total) ended `success`, "
                + "\(requests) HTTP requests to the simulator, \(String(format: "%.1f", Double(due) / dueTime)) runs per second "
                + "(each run: token, list and capture 2 types, a content-addressed set, retention, audit).")
    }

    /// A store with one tenant and `schedules` schedules, all with the given next slot. The
    /// timetables vary by default; `timetable` pins one (a due slot must be a slot of it).
    static func seed(path: String, schedules: Int, graphURL: String, nextRunAt: String, timetable: String? = nil)
        async throws
    {
        try await BenchStore.seed(path: path) { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES ('bench', ?, 'bench-app', 'BENCH_SECRET', ?, ?, '2026-01-01T00:00:00Z')
                    """, arguments: [tenantGuid, graphURL, graphURL])
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, enabled, timezone, timetable, policy_types, keep_last,
                        next_run_at, created_at, updated_at)
                    VALUES (1, ?, 1, 'Europe/Berlin', ?, '["deviceConfiguration","assignmentFilter"]', 5, ?, '2026-01-01T00:00:00Z',
                        '2026-01-01T00:00:00Z')
                    """)
            for index in 0..<schedules {
                let varied = #"{"cron":"\#(index % 60) */2 * * *"}"#
                try insert.execute(arguments: ["schedule-\(index)", timetable ?? varied, nextRunAt])
            }
        }
    }

    static func time(_ binary: String, _ arguments: [String], environment: [String: String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExitWithoutSpinning()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func outcome(_ path: String) throws -> (Int, Int) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_schedule_runs WHERE status = 'success'") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_schedule_runs") ?? 0
            )
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func ms(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.2f s", seconds)
    }
}
