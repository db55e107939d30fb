import Foundation
import GraphSimulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The engine with real processes, on SQLite and on PostgreSQL: concurrent dispatchers,
/// overlapping runs, a killed run, missed slots.
@Suite struct EngineProcessTests {
    static func cli(with simulator: SimulatorProcess, backend: TestBackend = .sqlite) throws -> CLI {
        let cli = try CLI(backend)
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
        try cli.execute(sql)
    }

    /// Waits (bounded) until `sql` counts at least `atLeast`: observing state, not sleeping for it.
    static func waitUntil(_ cli: CLI, _ sql: String, atLeast: Int = 1, timeout: TimeInterval = 60) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try cli.scalar(sql) >= atLeast { return true }
            usleep(20_000)
        }
        return false
    }

    /// The binary started in the background with the CLI's environment (and `host` as its host name).
    static func start(_ cli: CLI, _ arguments: [String], host: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.environment = cli.environment.merging(host.map { ["TENANTPILOT_HOST": $0] } ?? [:]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(arguments: TestBackend.available)
    func eightDispatchersAtOnceCreateOneRunPerDueScheduleAndNoFalseConcurrentRun(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try Self.cli(with: simulator, backend: backend)
        for name in ["a", "b", "c"] { try Self.addSchedule(cli, name: name) }
        // 02:00 Berlin summer time is 00:00 UTC; on PostgreSQL each dispatcher is a host of its own.
        let processes = try (0..<8).map { index in
            try Self.start(cli, ["dispatch", "--now", "2026-06-02T00:00:20Z", "--json"], host: "host-\(index)")
        }
        for process in processes { process.waitUntilExitWithoutSpinning() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })

        let runs = try #require(try cli.run(["runs", "list", "--json"]).json()["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(Set(runs.compactMap { $0["schedule"] as? String }) == ["a", "b", "c"])
        #expect(runs.allSatisfy { $0["status"] as? String == "success" }, "\(runs)")
        #expect(!runs.contains { $0["error_code"] as? String == "CONCURRENT_RUN" })
        let hosts = Set(runs.compactMap { $0["host"] as? String })
        #expect(!hosts.isEmpty && hosts.isSubset(of: Set((0..<8).map { "host-\($0)" })), "\(hosts)")
    }

    /// Twelve schedules of one tenant capture the same policies, so their sets share payloads,
    /// keys and versions; three hosts dispatch them on two days, some policies changed in
    /// between, and keep-last 1 makes each second run delete its schedule's first set while the
    /// other schedules' runs still capture and prune theirs. Every slot runs once and succeeds,
    /// and every row the first sets alone referenced is given back: none is kept because
    /// another deletion, at the same moment, still saw it referenced.
    @Test(arguments: TestBackend.available)
    func threeHostsCaptureAndPruneSharedPayloadsAtOnceAndLeaveNothingUnreferenced(backend: TestBackend) async throws {
        let simulator = try SimulatorProcess(policiesPerType: 6)
        let cli = try Self.cli(with: simulator, backend: backend)
        let names = (1...12).map { "s\($0)" }
        for name in names {
            let added = try cli.run([
                "schedules", "add", "--tenant", "contoso", "--name", name, "--timezone", "Europe/Berlin", "--at",
                "02:00", "--types", "deviceConfiguration,roleScopeTag,assignmentFilter", "--keep-last", "1", "--now",
                "2026-06-01T00:00:00Z",
            ])
            #expect(added.status == 0, "\(added.stderr)")
        }
        for (day, now) in ["2026-06-02T00:00:20Z", "2026-06-03T00:00:20Z"].enumerated() {
            if day == 1 {
                _ = try await simulator.control(
                    "POST", "tenants/\(SimulatorProcess.tenantGuid)/mutate", ["changed": 5, "added": 1, "deleted": 1])
            }
            let processes = try (0..<3).map { index in
                try Self.start(cli, ["dispatch", "--now", now, "--json"], host: "host-\(index)")
            }
            for process in processes { process.waitUntilExitWithoutSpinning() }
            #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "day \(day + 1)")
        }

        let runs = try #require(
            try cli.run(["runs", "list", "--limit", "100", "--json"]).json()["runs"] as? [[String: Any]])
        #expect(runs.count == 24)
        #expect(
            runs.allSatisfy { $0["status"] as? String == "success" },
            "\(runs.filter { $0["status"] as? String != "success" })")
        #expect(try cli.scalar("SELECT count(*) FROM backup_sets") == 12, "keep-last 1 of twelve schedules")
        #expect(try cli.scalar("SELECT count(DISTINCT backup_schedule_id) FROM backup_sets") == 12)
        let unreferenced = [
            "SELECT count(*) FROM backup_payloads p WHERE NOT EXISTS (SELECT 1 FROM backup_item_versions v WHERE v.payload_id = p.id)",
            "SELECT count(*) FROM backup_item_keys k WHERE NOT EXISTS (SELECT 1 FROM backup_item_versions v WHERE v.key_id = k.id)",
            "SELECT count(*) FROM backup_item_versions v WHERE NOT EXISTS (SELECT 1 FROM backup_items i WHERE i.version_id = v.id)",
        ]
        for sql in unreferenced { #expect(try cli.scalar(sql) == 0, "\(sql)") }
        // What is left is exactly what the second day's sets hold.
        #expect(
            try cli.scalar("SELECT count(*) FROM backup_payloads")
                == cli.scalar(
                    "SELECT count(DISTINCT v.payload_id) FROM backup_items i JOIN backup_item_versions v ON v.id = i.version_id"
                ))
        #expect(try cli.scalar("SELECT count(*) FROM backup_payloads") > 0)
    }

    @Test(arguments: TestBackend.available)
    func aSecondRunWhileTheFirstIsRunningIsSkippedWithConcurrentRun(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 3, pageSize: 1, latencyMilliseconds: 150)
        let cli = try Self.cli(with: simulator, backend: backend)
        try Self.addSchedule(cli, name: "slow")
        let slow = try Self.start(cli, ["run", "contoso/slow", "--now", "2026-06-02T10:00:00Z"], host: "host-a")
        let running = try Self.waitUntil(cli, "SELECT count(*) FROM backup_schedule_runs WHERE status = 'running'")
        #expect(running)
        // Another host: on PostgreSQL the schedule's advisory lock is held by host-a's run.
        let second = try cli.run(
            ["run", "contoso/slow", "--now", "2026-06-02T10:01:00Z", "--json"],
            environment: ["TENANTPILOT_HOST": "host-b"])
        #expect(second.status == 4)
        let run = try second.json()
        #expect(run["status"] as? String == "skipped")
        #expect(run["error_code"] as? String == "CONCURRENT_RUN")
        // A dispatch meanwhile (from a third host) leaves the run in progress alone.
        let dispatch = try cli.run(
            ["dispatch", "--now", "2026-06-02T10:01:30Z", "--json"], environment: ["TENANTPILOT_HOST": "host-c"])
        #expect(dispatch.status == 0, "\(dispatch.stderr)")
        #expect(try dispatch.json()["abandoned"] as? [Int] == [])
        slow.waitUntilExitWithoutSpinning()
        #expect(slow.terminationStatus == 0)
        let first = try cli.run(["runs", "show", "1", "--json"]).json()
        #expect(first["status"] as? String == "success")
        #expect(first["host"] as? String == "host-a")
    }

    @Test(arguments: TestBackend.available)
    func aRunKilledHalfWayIsAbandonedByTheNextDispatchAndLeavesNoSet(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 3, pageSize: 1, latencyMilliseconds: 100)
        let cli = try Self.cli(with: simulator, backend: backend)
        try Self.addSchedule(
            cli, name: "doomed", types: "deviceConfiguration,roleScopeTag,assignmentFilter,settingsCatalogPolicy")
        let victim = try Self.start(cli, ["run", "contoso/doomed", "--now", "2026-06-02T10:00:00Z"], host: "host-a")
        // Kill it once it has begun writing its set.
        let writing = try Self.waitUntil(cli, "SELECT count(*) FROM backup_items")
        #expect(writing)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExitWithoutSpinning()

        // Found by a dispatch on another host: the killed run's lock is free.
        let dispatch = try cli.run(
            ["dispatch", "--now", "2026-06-02T10:05:00Z", "--json"], environment: ["TENANTPILOT_HOST": "host-b"])
        #expect(dispatch.status == 0, "\(dispatch.stderr)")
        #expect(try dispatch.json()["abandoned"] as? [Int] == [1])
        let run = try cli.run(["runs", "show", "1", "--json"]).json()
        #expect(run["status"] as? String == "failed")
        #expect(run["error_code"] as? String == "ABANDONED")
        #expect(run["host"] as? String == "host-a")
        let sets = try cli.run(["backups", "list", "--json"]).json()["backup_sets"] as? [[String: Any]]
        #expect(sets?.isEmpty == true)
        #expect(try cli.scalar("SELECT count(*) FROM backup_sets") == 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_items") == 0)
        if backend == .sqlite {
            #expect(try cli.scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func lateTicksDowntimeAndTheAuditTrail(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try Self.cli(with: simulator, backend: backend)
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
