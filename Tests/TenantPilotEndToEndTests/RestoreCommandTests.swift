import Foundation
import GRDB
import GraphSimulator
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `restore` and `drift` through the real binary against the simulator executable: plans,
/// applies, bad input, the tenant lock, a killed apply, and drift's exit codes.
@Suite struct RestoreCommandTests {
    static let targetGuid = "99999999-8888-7777-6666-555555555555"
    static let types =
        "deviceConfiguration,settingsCatalogPolicy,deviceCompliancePolicy,groupPolicyConfiguration,assignmentFilter,roleScopeTag"

    /// A CLI with the simulated tenant (`contoso`), an empty one (`fabrikam`), a schedule of
    /// several types, and one backup set (id 1).
    static func setUp(_ simulator: SimulatorProcess, backend: TestBackend = .sqlite) throws -> CLI {
        let cli = try EngineProcessTests.cli(with: simulator, backend: backend)
        let target = try cli.run([
            "tenants", "add", "--name", "fabrikam", "--tenant-id", targetGuid, "--client-id", "tenantpilot-tests",
            "--client-secret-env", "SIM_SECRET", "--graph-url", simulator.baseURL, "--authority-url", simulator.baseURL,
        ])
        #expect(target.status == 0, "\(target.stderr)")
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: types)
        let backup = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(backup.status == 0, "\(backup.stderr)")
        return cli
    }

    static func simulator(latency: Int = 0, perType: Int = 2) throws -> SimulatorProcess {
        try SimulatorProcess(
            policiesPerType: perType, latencyMilliseconds: latency, extra: ["--empty-tenant", targetGuid])
    }

    static func actions(_ result: CLI.Result) throws -> [[String: Any]] {
        try #require(try result.json()["actions"] as? [[String: Any]])
    }

    /// The binary started in the background with `arguments`, its output discarded.
    static func start(_ cli: CLI, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.environment = cli.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func writes(_ simulator: SimulatorProcess) async throws -> Int {
        try #require(try await simulator.control("GET", "stats")["writes"] as? Int)
    }

    @Test func aPlanWritesNothingAndAnApplyPutsChangesAndDeletionsBackOnce() async throws {
        let simulator = try Self.simulator()
        let cli = try Self.setUp(simulator)
        try await simulator.control(
            "POST", "tenants/\(SimulatorProcess.tenantGuid)/mutate", ["changed": 4, "deleted": 3])
        let before = try cli.databaseContent()

        let plan = try cli.run(["restore", "1", "--exit-code", "--json"])
        #expect(plan.status == 5, "\(plan.stderr)")
        #expect(plan.stderr.isEmpty)
        let document = try plan.json()
        #expect(Set(document.keys) == ["set_id", "target", "actions"])
        #expect(document["set_id"] as? Int == 1 && document["target"] as? String == "contoso")
        let actions = try Self.actions(plan)
        #expect(
            actions.allSatisfy {
                Set($0.keys) == ["action", "type", "graph_id", "target_id", "display_name", "changes", "warnings"]
            })
        #expect(actions.filter { $0["action"] as? String == "create" }.count == 3)
        let update = try #require(actions.first { $0["action"] as? String == "update" })
        let change = try #require((update["changes"] as? [[String: Any]])?.first)
        #expect(Set(change.keys) == ["path", "old", "new"])
        #expect(try cli.databaseContent() == before, "a plan writes nothing to the store")
        #expect(try await Self.writes(simulator) == 0, "nor to Graph")

        let apply = try cli.run(["restore", "1", "--apply", "--json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stderr.isEmpty)
        let run = try #require(try apply.json()["run"] as? [String: Any])
        #expect(run["trigger"] as? String == "restore" && run["status"] as? String == "success")
        #expect(run["schedule_id"] is NSNull)
        let counts = try #require(run["counts"] as? [String: Any])
        #expect(counts["created"] as? Int == 3 && counts["failed"] as? Int == 0)
        #expect((counts["updated"] as? Int ?? 0) >= 1)
        let audit = try cli.run(["audit", "list", "--json", "--limit", "500"]).json()
        let entries = (audit["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(entries.contains("backup.restore_started") && entries.contains("backup.restore_completed"))
        #expect(entries.filter { $0 == "policy.restored" }.count == 3 + (counts["updated"] as? Int ?? 0))

        let writes = try await Self.writes(simulator)
        let again = try cli.run(["restore", "1", "--apply", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.actions(again).allSatisfy { ["unchanged", "skip"].contains($0["action"] as? String ?? "") })
        #expect(try await Self.writes(simulator) == writes, "the second apply writes nothing")
        let plain = try cli.run(["restore", "1"])
        #expect(plain.status == 0)
        #expect(plain.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(plain.stdout)")
    }

    @Test func aRestoreIntoAnEmptyTenantCreatesEverythingOnceWithItsGroups() throws {
        let simulator = try Self.simulator()
        let cli = try Self.setUp(simulator)
        let apply = try cli.run(["restore", "1", "--to", "fabrikam", "--apply", "--json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        let actions = try Self.actions(apply)
        #expect(actions.allSatisfy { $0["action"] as? String == "create" })
        #expect(actions.allSatisfy { $0["result"] as? String == "done" })
        #expect(
            !actions.contains { ($0["warnings"] as? [String] ?? []).contains { $0.contains("left out") } },
            "every group has a namesake")
        let plan = try cli.run(["restore", "1", "--to", "fabrikam", "--exit-code"])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        let drift = try cli.run(["drift", "fabrikam"])
        #expect(drift.status == 1, "fabrikam has no backup of its own yet")
    }

    @Test(arguments: [
        (["restore", "99"], "99"),
        (["restore", "1", "--to", "nobody"], "nobody"),
        (["restore", "1", "--types", "deviceConfig"], "deviceConfig"),
        (["restore", "1", "--plan", "--apply"], "--apply"),
        (["restore", "1", "--policy", "not-in-the-set", "--apply"], "not-in-the-set"),
        (["drift", "nobody"], "nobody"),
        (["drift", "contoso", "--against", "42"], "42"),
    ])
    func badInputExitsTwoNamingTheValueAndWritesNothing(arguments: [String], value: String) async throws {
        let simulator = try Self.simulator()
        let cli = try Self.setUp(simulator)
        let before = try cli.databaseContent()
        let result = try cli.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(value), "\(result.stderr)")
        #expect(try cli.databaseContent() == before)
        #expect(try await Self.writes(simulator) == 0)
    }

    /// On PostgreSQL the tenant lock is an advisory lock: shared for backups, exclusive for a restore.
    @Test(arguments: TestBackend.available)
    func whileARestoreWritesTheTenantsBackupsAndOtherRestoresAreSkipped(backend: TestBackend) throws {
        let simulator = try Self.simulator(latency: 60, perType: 4)
        let cli = try Self.setUp(simulator, backend: backend)
        let fabrikam = try Self.start(cli, ["restore", "1", "--to", "fabrikam", "--apply"])
        let writing = try EngineProcessTests.waitUntil(
            cli, "SELECT count(*) FROM audit_logs WHERE action = 'policy.restored'")
        #expect(writing)
        let second = try cli.run(["restore", "1", "--to", "fabrikam", "--apply", "--json"])
        #expect(second.status == 4, "\(second.stderr)")
        #expect(second.stderr.contains("fabrikam"))
        #expect(try second.json()["error"] != nil)
        _ = try cli.run([
            "schedules", "add", "--tenant", "fabrikam", "--name", "nightly", "--timezone", "Europe/Berlin", "--at",
            "02:00",
            "--types", "deviceConfiguration",
        ])
        let backup = try cli.run(["run", "fabrikam/nightly", "--json"])
        #expect(backup.status == 4, "\(backup.stderr)")
        #expect(try backup.json()["error_code"] as? String == "CONCURRENT_RUN")
        let other = try cli.run(["run", "contoso/nightly", "--json", "--now", "2030-01-01T00:00:00Z"])
        #expect(other.status == 0, "another tenant's backups are not held up: \(other.stderr)")
        fabrikam.waitUntilExitWithoutSpinning()
        #expect(fabrikam.terminationStatus == 0)
    }

    @Test(arguments: TestBackend.available)
    func anApplyKilledHalfWayIsAbandonedAndASecondApplyFinishesIt(backend: TestBackend) throws {
        let simulator = try Self.simulator(latency: 60, perType: 4)
        let cli = try Self.setUp(simulator, backend: backend)
        let victim = try Self.start(cli, ["restore", "1", "--to", "fabrikam", "--apply"])
        let writing = try EngineProcessTests.waitUntil(
            cli, "SELECT count(*) FROM audit_logs WHERE action = 'policy.restored'", atLeast: 2)
        #expect(writing)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExitWithoutSpinning()
        let left = try cli.run(["runs", "list", "--json"]).json()["runs"] as? [[String: Any]]
        #expect(left?.first?["status"] as? String == "running")

        let dispatch = try cli.run(["dispatch", "--json"])
        #expect(dispatch.status == 0, "\(dispatch.stderr)")
        let abandoned = try #require(try dispatch.json()["abandoned"] as? [Int])
        #expect(abandoned.count == 1)
        let killed = try cli.run(["runs", "show", String(abandoned[0]), "--json"]).json()
        #expect(killed["status"] as? String == "failed" && killed["error_code"] as? String == "ABANDONED")
        #expect(killed["trigger"] as? String == "restore")

        let second = try cli.run(["restore", "1", "--to", "fabrikam", "--apply", "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let actions = try Self.actions(second)
        #expect(actions.contains { $0["action"] as? String == "unchanged" }, "what the killed apply wrote is found")
        #expect(!actions.contains { $0["result"] as? String == "failed" })
        let third = try cli.run(["restore", "1", "--to", "fabrikam", "--exit-code"])
        #expect(third.status == 0, "only unchanged is left: \(third.stdout)")
    }

    @Test func driftExitsZeroThenFiveAndSaysSoOnStderr() async throws {
        let simulator = try Self.simulator()
        let cli = try Self.setUp(simulator)
        let quiet = try cli.run(["drift", "contoso/nightly"])
        #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stderr.isEmpty)
        try await simulator.control(
            "POST", "tenants/\(SimulatorProcess.tenantGuid)/mutate", ["changed": 2, "added": 1, "deleted": 1])
        let sets = try cli.run(["backups", "list", "--json"]).stdout
        let drift = try cli.run(["drift", "--all", "--json"])
        #expect(drift.status == 5, "\(drift.stderr)")
        #expect(!drift.stderr.isEmpty)
        let report = try drift.json()
        #expect(report["drift"] as? Bool == true)
        let check = try #require((report["checks"] as? [[String: Any]])?.first)
        #expect(Set(check.keys) == ["tenant", "schedule", "against", "added", "removed", "changed"])
        #expect(check["schedule"] as? String == "contoso/nightly" && check["against"] as? Int == 1)
        let changed = try #require((check["changed"] as? [[String: Any]])?.first)
        #expect((changed["changes"] as? [[String: Any]])?.contains { $0["path"] as? String == "description" } == true)
        #expect(try cli.run(["backups", "list", "--json"]).stdout == sets, "drift stores no set")

        let backup = try cli.run(["run", "contoso/nightly", "--json", "--now", "2030-01-01T00:00:00Z"])
        #expect(backup.status == 0)
        let diff = try cli.run(["backups", "diff", "1", "2", "--json"])
        let entry = try #require((try diff.json()["changed"] as? [[String: Any]])?.first)
        #expect((entry["changes"] as? [[String: Any]])?.contains { $0["path"] as? String == "description" } == true)
    }

    @Test func anApplyWhoseWritesPartlyFailSaysSoOnStderrAndExitsThree() async throws {
        let simulator = try Self.simulator()
        let cli = try Self.setUp(simulator)
        // Every `assign` is refused: the policies with assignments are created but not completed.
        try await simulator.control("POST", "faults", ["fault": "forbidden", "target": "path:/assign"])
        let apply = try cli.run(["restore", "1", "--to", "fabrikam", "--apply", "--json"])
        #expect(apply.status == 3, "\(apply.stderr)")
        let stderr = apply.stderr.split(separator: "\n")
        #expect(stderr.count == 1, "one line for the run that did not succeed: \(apply.stderr)")
        #expect(stderr.first?.contains("restore  partial  GRAPH_FORBIDDEN") == true, "\(apply.stderr)")
        let actions = try Self.actions(apply)
        let failed = actions.filter { $0["result"] as? String == "failed" }
        #expect(!failed.isEmpty)
        #expect(
            failed.allSatisfy { ($0["error"] as? String)?.contains("ReadWrite.All") == true },
            "the missing permission is named")
        #expect(failed.allSatisfy { ($0["target_id"] as? String) != nil }, "what was created is named")
        let run = try #require(try apply.json()["run"] as? [String: Any])
        #expect(run["status"] as? String == "partial")

        try await simulator.control("DELETE", "faults")
        let again = try cli.run(["restore", "1", "--to", "fabrikam", "--apply", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            try Self.actions(again).filter { $0["action"] as? String == "update" }.count == failed.count,
            "the second apply completes them")
    }
}
