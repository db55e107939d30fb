import Foundation
import Testing

/// How Graph's answers end a run, through the real binary against the simulator executable.
@Suite struct RunOutcomeTests {
    static func setUp(types: String = "deviceConfiguration,roleScopeTag", backend: TestBackend = .sqlite) throws -> (
        SimulatorProcess, CLI
    ) {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try EngineProcessTests.cli(with: simulator, backend: backend)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: types)
        return (simulator, cli)
    }

    @Test(arguments: TestBackend.available)
    func throttledThenAnsweredEndsInSuccess(backend: TestBackend) async throws {
        let (simulator, cli) = try Self.setUp(backend: backend)
        try await simulator.control(
            "POST", "faults",
            ["fault": "throttle", "target": "collection:deviceConfiguration", "times": 2, "retryAfter": 1])
        let result = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try result.json()
        #expect(run["status"] as? String == "success")
        #expect(run["backup_set_id"] is Int)
        #expect((run["counts"] as? [String: Any])?["items"] as? Int == 4)
    }

    @Test func aRefusedTokenFailsTheRunWithoutRetrying() async throws {
        let (simulator, cli) = try Self.setUp()
        try await simulator.control("POST", "stats/reset")
        let result = try cli.run(["run", "contoso/nightly", "--json"], environment: ["SIM_SECRET": "wrong-secret"])
        #expect(result.status == 1)
        let run = try result.json()
        #expect(run["status"] as? String == "failed")
        #expect(run["error_code"] as? String == "GRAPH_AUTH_FAILED")
        #expect(run["backup_set_id"] is NSNull)
        let stats = try await simulator.control("GET", "stats")
        #expect(stats["token"] as? Int == 1, "a refused token is never retried: \(stats)")
        #expect(!result.stdout.contains("wrong-secret") && !result.stderr.contains("wrong-secret"))
    }

    @Test func aForbiddenTypeMakesTheRunPartial() async throws {
        let (simulator, cli) = try Self.setUp()
        try await simulator.control("POST", "faults", ["fault": "forbidden", "target": "collection:roleScopeTag"])
        let result = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(result.status == 3)
        let run = try result.json()
        #expect(run["status"] as? String == "partial")
        #expect(run["error_code"] as? String == "GRAPH_FORBIDDEN")
        #expect((run["counts"] as? [String: Any])?["skipped_types"] as? [String] == ["roleScopeTag"])
        let setId = try #require(run["backup_set_id"] as? Int)
        let set = try cli.run(["backups", "show", String(setId), "--json"]).json()
        #expect(set["status"] as? String == "partial")
        #expect(
            (set["items"] as? [[String: Any]])?.allSatisfy { $0["type"] as? String == "deviceConfiguration" } == true)
    }

    @Test func aMissingSecretIsCredentialsUnavailable() throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        cli.environment["SIM_SECRET"] = nil
        let result = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(result.status == 1)
        let run = try result.json()
        #expect(run["error_code"] as? String == "CREDENTIALS_UNAVAILABLE")
        let audit = try cli.run(["audit", "list", "--action", "backup_schedule.run_completed", "--json"]).json()
        let entry = try #require((audit["entries"] as? [[String: Any]])?.first)
        #expect((entry["metadata"] as? [String: Any])?["error_code"] as? String == "CREDENTIALS_UNAVAILABLE")
        let notifications = try cli.run(["notifications", "list", "--actor", "tester", "--json"]).json()
        #expect((notifications["notifications"] as? [[String: Any]])?.first?["status"] as? String == "failed")
    }

    @Test(arguments: TestBackend.available)
    func legacyUnknownTypesInTheStoreArePartialOrSkipped(backend: TestBackend) throws {
        let (simulator, cli) = try Self.setUp(types: "deviceConfiguration", backend: backend)
        defer { withExtendedLifetime(simulator) {} }
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "legacy", "--timezone", "UTC", "--at", "02:00",
            "--types",
            "deviceConfiguration",
        ])
        #expect(added.status == 0)
        try EngineProcessTests.execute(
            cli,
            #"UPDATE backup_schedules SET policy_types = '["deviceConfiguration","retiredType"]' WHERE name = 'nightly'"#
        )
        try EngineProcessTests.execute(
            cli, #"UPDATE backup_schedules SET policy_types = '["retiredType"]' WHERE name = 'legacy'"#)

        let mixed = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(mixed.status == 3, "\(mixed.stdout)")
        #expect(try mixed.json()["error_code"] as? String == "UNKNOWN_POLICY_TYPE")
        let legacy = try cli.run(["run", "contoso/legacy", "--json"])
        #expect(legacy.status == 4)
        let run = try legacy.json()
        #expect(run["status"] as? String == "skipped")
        #expect(run["error_code"] as? String == "UNKNOWN_POLICY_TYPE")
        #expect(run["backup_set_id"] is NSNull)
    }

    @Test(arguments: TestBackend.available)
    func retryMakesANewRunLinkedToTheFailedOne(backend: TestBackend) throws {
        let (simulator, cli) = try Self.setUp(backend: backend)
        defer { withExtendedLifetime(simulator) {} }
        let failed = try cli.run(
            ["run", "contoso/nightly", "--json", "--now", "2026-06-02T10:00:00Z"], environment: ["SIM_SECRET": "wrong"])
        let failedId = try #require(try failed.json()["id"] as? Int)
        let retried = try cli.run(["retry", String(failedId), "--json", "--now", "2026-06-02T10:05:00Z"])
        #expect(retried.status == 0, "\(retried.stdout)")
        let run = try retried.json()
        #expect(run["trigger"] as? String == "retry")
        #expect(run["retry_of"] as? Int == failedId)
        #expect(run["status"] as? String == "success")
        let again = try cli.run(["retry", String(try #require(run["id"] as? Int)), "--json"])
        #expect(again.status == 2, "a successful run cannot be retried")
    }
}
