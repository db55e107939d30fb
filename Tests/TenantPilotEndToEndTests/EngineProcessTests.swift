import Foundation
import GRDB
import GraphSimulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The engine with real processes: concurrent dispatchers, overlapping runs, a killed run.
@Suite struct EngineProcessTests {
    static func cli(with simulator: SimulatorProcess) throws -> CLI {
        let cli = CLI()
        cli.environment["SIM_SECRET"] = SimulatorProcess.clientSecret
        let added = try simulator.addTenant(to: cli)
        #expect(added.status == 0, "\(added.stderr)")
        return cli
    }

    static func addSchedule(_ cli: CLI, name: String, types: String = "deviceConfiguration,roleScopeTag") throws {
        let result = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", name, "--timezone", "Europe/Berlin", "--at", "02:00",
            "--types", types, "--now", "2026-06-01T00:00:00Z",
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Changes the store behind the CLI's back, as an older binary or a hand edit would.
    static func execute(_ cli: CLI, _ sql: String) throws {
        let queue = try DatabaseQueue(path: cli.databasePath)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    /// Waits (bounded) until a condition on the store holds: observing state, not sleeping for it.
    static func waitUntil(_ cli: CLI, timeout: TimeInterval = 60, _ condition: (Database) throws -> Bool) throws -> Bool
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: cli.databasePath) {
                let queue = try DatabaseQueue(path: cli.databasePath)
                let met = try queue.read(condition)
                try queue.close()
                if met { return true }
            }
            usleep(20_000)
        }
        return false
    }

    @Test func eightDispatchersAtOnceCreateOneRunPerDueScheduleAndNoFalseConcurrentRun() throws {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try Self.cli(with: simulator)
        for name in ["a", "b", "c"] { try Self.addSchedule(cli, name: name) }
        // 02:00 Berlin summer time is 00:00 UTC.
        let processes = try (0..<8).map { _ -> Process in
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["dispatch", "--now", "2026-06-02T00:00:20Z", "--json"]
            process.environment = cli.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExitWithoutSpinning() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })

        let runs = try #require(try cli.run(["runs", "list", "--json"]).json()["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(Set(runs.compactMap { $0["schedule"] as? String }) == ["a", "b", "c"])
        #expect(runs.allSatisfy { $0["status"] as? String == "success" }, "\(runs)")
        #expect(!runs.contains { $0["error_code"] as? String == "CONCURRENT_RUN" })
    }

    @Test func aSecondRunWhileTheFirstIsRunningIsSkippedWithConcurrentRun() throws {
        let simulator = try SimulatorProcess(policiesPerType: 3, pageSize: 1, latencyMilliseconds: 150)
        let cli = try Self.cli(with: simulator)
        try Self.addSchedule(cli, name: "slow")
        let slow = Process()
        slow.executableURL = CLI.binary
        slow.arguments = ["run", "contoso/slow", "--now", "2026-06-02T10:00:00Z"]
        slow.environment = cli.environment
        slow.standardOutput = FileHandle.nullDevice
        slow.standardError = FileHandle.nullDevice
        try slow.run()
        let running = try Self.waitUntil(cli) { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_schedule_runs WHERE status = 'running'") == 1
        }
        #expect(running)
        let second = try cli.run(["run", "contoso/slow", "--now", "2026-06-02T10:01:00Z", "--json"])
        #expect(second.status == 4)
        let run = try second.json()
        #expect(run["status"] as? String == "skipped")
        #expect(run["error_code"] as? String == "CONCURRENT_RUN")
        slow.waitUntilExitWithoutSpinning()
        #expect(slow.terminationStatus == 0)
    }

    @Test func aRunKilledHalfWayIsAbandonedByTheNextDispatchAndLeavesNoSet() throws {
        let simulator = try SimulatorProcess(policiesPerType: 3, pageSize: 1, latencyMilliseconds: 100)
        let cli = try Self.cli(with: simulator)
        try Self.addSchedule(
            cli, name: "doomed", types: "deviceConfiguration,roleScopeTag,assignmentFilter,settingsCatalogPolicy")
        let victim = Process()
        victim.executableURL = CLI.binary
        victim.arguments = ["run", "contoso/doomed", "--now", "2026-06-02T10:00:00Z"]
        victim.environment = cli.environment
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        // Kill it once it has begun writing its set.
        let writing = try Self.waitUntil(cli) { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_items") ?? 0 > 0
        }
        #expect(writing)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExitWithoutSpinning()

        let dispatch = try cli.run(["dispatch", "--now", "2026-06-02T10:05:00Z", "--json"])
        #expect(dispatch.status == 0, "\(dispatch.stderr)")
        #expect(try dispatch.json()["abandoned"] as? [Int] == [1])
        let run = try cli.run(["runs", "show", "1", "--json"]).json()
        #expect(run["status"] as? String == "failed")
        #expect(run["error_code"] as? String == "ABANDONED")
        let sets = try cli.run(["backups", "list", "--json"]).json()["backup_sets"] as? [[String: Any]]
        #expect(sets?.isEmpty == true)
        let queue = try DatabaseQueue(path: cli.databasePath)
        defer { try? queue.close() }
        let (integrity, orphans) = try queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_sets")
            )
        }
        #expect(integrity == "ok")
        #expect(orphans == 0)
    }

    @Test func lateTicksDowntimeAndTheAuditTrail() throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try Self.cli(with: simulator)
        try Self.addSchedule(cli, name: "hourly")
        _ = try cli.run([
            "schedules", "update", "contoso/hourly", "--cron", "0 * * * *", "--now", "2026-06-02T00:30:00Z",
        ])
        // A tick three minutes late still runs the 01:00 UTC slot.
        let late = try cli.run(["dispatch", "--now", "2026-06-02T01:03:00Z", "--json"])
        #expect(late.status == 0)
        let lateRuns = try #require(try late.json()["runs"] as? [[String: Any]])
        #expect(lateRuns.map { $0["scheduled_for"] as? String } == ["2026-06-02T01:00:00Z"])
        #expect(lateRuns.first?["status"] as? String == "success")
        // Two hours of downtime: one MISSED_SLOT record, no backup, then the due slot runs.
        let back = try cli.run(["dispatch", "--now", "2026-06-02T04:30:00Z", "--json"])
        let backRuns = try #require(try back.json()["runs"] as? [[String: Any]])
        #expect(backRuns.count == 1)
        #expect(backRuns.first?["status"] as? String == "skipped")
        #expect(backRuns.first?["error_code"] as? String == "MISSED_SLOT")
        #expect((backRuns.first?["error_message"] as? String)?.contains("3 slots missed") == true)
        #expect(backRuns.first?["backup_set_id"] is NSNull)
        let quiet = try cli.run(["dispatch", "--now", "2026-06-02T04:31:00Z"])
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty, "dispatch prints nothing when nothing is due")

        let audit = try cli.run(["audit", "list", "--json", "--limit", "500"]).json()
        let actions = (audit["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        for action in [
            "backup_schedule.dispatched", "backup_schedule.run_started", "backup_schedule.run_completed",
            "backup.created",
        ] {
            #expect(actions.contains(action), "no \(action) in the audit log")
        }
    }
}
