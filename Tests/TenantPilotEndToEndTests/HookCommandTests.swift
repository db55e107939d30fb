import Foundation
import GRDB
import Testing

/// `hooks` through the real binary, delivering to HTTP servers on 127.0.0.1 that the tests
/// start (answering 200, 500, a redirect, or never) and to commands that write what they got
/// to a file. Hook timeouts are short (`--timeout 1s`), so a hanging receiver costs a test
/// seconds, not minutes; no test sleeps.
@Suite struct HookCommandTests {
    /// The simulated tenant with a schedule; keep the simulator alive for as long as the CLI is used.
    static func setUp(_ backend: TestBackend = .sqlite) throws -> (SimulatorProcess, CLI) {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try EngineProcessTests.cli(with: simulator, backend: backend)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: "deviceConfiguration")
        return (simulator, cli)
    }

    static func add(_ cli: CLI, _ arguments: [String], environment: [String: String] = [:]) throws -> Int {
        let added = try cli.run(["hooks", "add"] + arguments + ["--json"], environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        return try #require(try added.json()["id"] as? Int)
    }

    static func auditActions(_ cli: CLI) throws -> [[String: Any]] {
        try #require(try cli.run(["audit", "list", "--json"]).json()["entries"] as? [[String: Any]])
    }

    // MARK: - Webhooks

    @Test(arguments: TestBackend.available)
    func aWebhookGetsTheRunsStartAndEndAndItsURLIsNeverShown(backend: TestBackend) async throws {
        let (simulator, cli) = try Self.setUp(backend)
        defer { withExtendedLifetime(simulator) {} }
        let receiver = try HookReceiver(answer: .status(200))
        let url = receiver.baseURL + "/services/T000/B000/secret-token-123"
        _ = try Self.add(cli, ["--on", "start,success,failure", "--schedule", "contoso/nightly", "--webhook", url])

        let run = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "a delivered hook says nothing: \(run.stderr)")
        let received = receiver.received
        #expect(
            received.map(\.path) == ["/services/T000/B000/secret-token-123", "/services/T000/B000/secret-token-123"])
        #expect(received.allSatisfy { $0.method == "POST" && $0.contentType == "application/json" })
        let start = try received[0].json()
        let end = try received[1].json()
        #expect(start["event"] as? String == "start")
        #expect(end["event"] as? String == "success")
        #expect(Set(end.keys) == ["event", "tenant", "schedule", "run", "text"], "\(end.keys)")
        #expect(end["tenant"] as? String == "contoso" && end["schedule"] as? String == "nightly")
        let runDocument = try #require(end["run"] as? [String: Any])
        #expect(runDocument["status"] as? String == "success")
        #expect(runDocument["id"] as? Int == (try run.json()["id"] as? Int))
        #expect((runDocument["counts"] as? [String: Any])?["policies"] as? Int == 1)
        #expect((end["text"] as? String)?.contains("contoso/nightly succeeded") == true, "\(end["text"] ?? "")")

        // Shown redacted everywhere: list, JSON, audit.
        let list = try cli.run(["hooks", "list"])
        let json = try cli.run(["hooks", "list", "--json"])
        let audit = try cli.run(["audit", "list", "--json"])
        for text in [list.stdout, json.stdout, audit.stdout, run.stdout] {
            #expect(!text.contains("secret-token-123") && !text.contains("/services/"), "\(text)")
        }
        #expect(list.stdout.contains(receiver.baseURL + "/…"), "\(list.stdout)")
        let hooks = try #require(try json.json()["hooks"] as? [[String: Any]])
        #expect(hooks.first?["target"] as? String == receiver.baseURL + "/…")
        #expect(hooks.first?["events"] as? [String] == ["start", "success", "failure"])
        #expect(hooks.first?["schedule"] as? String == "nightly")
    }

    @Test func aWebhookThatAnswers500IsTriedThreeTimesAndNeverChangesTheRun() async throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let receiver = try HookReceiver(answer: .status(500))
        let id = try Self.add(
            cli, ["--on", "success", "--webhook", receiver.baseURL + "/hook/token", "--timeout", "1s"])

        let run = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(run.status == 0, "the run succeeded whatever its hook did: \(run.stderr)")
        #expect(try run.json()["status"] as? String == "success")
        #expect(receiver.received.count == 3)
        let line = try #require(run.stderr.split(separator: "\n").first { $0.hasPrefix("hook \(id)  ") })
        #expect(line.contains("failed  HOOK_FAILED"), "\(line)")
        #expect(line.contains("answered HTTP 500 (after 3 attempts)"), "\(line)")
        #expect(!line.contains("token"), "\(line)")
        let failed = try Self.auditActions(cli).filter { $0["action"] as? String == "hook.failed" }
        #expect(failed.count == 1)
        let metadata = try #require(failed.first?["metadata"] as? [String: Any])
        #expect(metadata["target"] as? String == receiver.baseURL + "/…")
        #expect(metadata["event"] as? String == "success")

        // `hooks test` says so too, and exits 1.
        let test = try cli.run(["hooks", "test", String(id)])
        #expect(test.status == 1)
        #expect(test.stderr.contains("hook \(id)  "), "\(test.stderr)")
        #expect(receiver.received.count == 6)
    }

    @Test func aHangingWebhookDoesNotHoldUpTheNextScheduleOfTheDispatch() async throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let second = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "second", "--timezone", "Europe/Berlin", "--at",
            "02:00", "--types", "deviceConfiguration", "--now", "2026-06-01T00:00:00Z",
        ])
        #expect(second.status == 0)
        let receiver = try HookReceiver(answer: .hang)
        let id = try Self.add(
            cli,
            [
                "--on", "start,success", "--schedule", "contoso/nightly", "--webhook", receiver.baseURL + "/h",
                "--timeout", "1s",
            ])

        let started = Date()
        let dispatch = try cli.run(["dispatch", "--concurrency", "1", "--now", "2026-06-02T00:00:10Z", "--json"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(dispatch.status == 0, "\(dispatch.stderr)")
        let runs = try #require(try dispatch.json()["runs"] as? [[String: Any]])
        #expect(runs.map { $0["status"] as? String } == ["success", "success"])
        // With one run at a time, the second starts when the first has ended, not when its hook has.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func instant(_ run: [String: Any], _ key: String) -> Date? {
            (run[key] as? String).flatMap { formatter.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) }
        }
        let firstEnd = try #require(instant(runs[0], "finished_at"))
        let secondStart = try #require(instant(runs[1], "started_at"))
        #expect(
            secondStart.timeIntervalSince(firstEnd) < 1.0, "held up by \(secondStart.timeIntervalSince(firstEnd)) s")
        // The process waited for the deliveries (3 attempts of 1 s each, pauses of 1 s), then said so.
        #expect(elapsed < 30, "\(elapsed) s")
        let lines = dispatch.stderr.split(separator: "\n").filter { $0.hasPrefix("hook \(id)  ") }
        #expect(lines.count == 2, "start and success: \(dispatch.stderr)")
        #expect(lines.allSatisfy { $0.contains("no answer within 1 s (after 3 attempts)") }, "\(lines)")
        #expect(try Self.auditActions(cli).filter { $0["action"] as? String == "hook.failed" }.count == 2)
    }

    @Test func aRedirectIsNeverFollowed() async throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let elsewhere = try HookReceiver(answer: .status(200))
        let receiver = try HookReceiver(answer: .redirect(to: elsewhere.baseURL + "/stolen"))
        let id = try Self.add(cli, ["--on", "success", "--webhook", receiver.baseURL + "/h"])
        let run = try cli.run(["run", "contoso/nightly"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("hook \(id)  ") && run.stderr.contains("a redirect (never followed)"))
        #expect(receiver.received.count == 1, "a redirect is not retried")
        #expect(elsewhere.received.isEmpty)
    }

    // MARK: - Pings

    @Test func aPingFollowsTheHealthchecksConventionAndItsURLStaysOutOfTheStore() async throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let receiver = try HookReceiver(answer: .status(200))
        let url = receiver.baseURL + "/ping/5f3c-uuid"
        _ = try Self.add(
            cli, ["--on", "all", "--schedule", "contoso/nightly", "--ping-env", "NIGHTLY_PING"],
            environment: ["NIGHTLY_PING": url])
        #expect(!(try cli.databaseContent().contains("5f3c-uuid")))

        let good = try cli.run(["run", "contoso/nightly"], environment: ["NIGHTLY_PING": url])
        #expect(good.status == 0, "\(good.stderr)")
        let bad = try cli.run(
            ["run", "contoso/nightly", "--now", "2026-06-03T10:00:00Z"],
            environment: ["NIGHTLY_PING": url, "SIM_SECRET": "wrong"])
        #expect(bad.status == 1)
        let paths = receiver.received.map(\.path)
        #expect(
            paths == ["/ping/5f3c-uuid/start", "/ping/5f3c-uuid", "/ping/5f3c-uuid/start", "/ping/5f3c-uuid/fail"],
            "\(paths)")
        // /fail carries the run's stderr line.
        let problem = try #require(bad.stderr.split(separator: "\n").first { $0.hasPrefix("run ") })
        #expect(receiver.received.last?.text == String(problem))
        #expect(!(try cli.databaseContent().contains("5f3c-uuid")))

        // Unset where it fires: a failed hook, never a failed run.
        let unset = try cli.run(["run", "contoso/nightly", "--now", "2026-06-04T10:00:00Z"])
        #expect(unset.status == 0)
        #expect(unset.stderr.contains("$NIGHTLY_PING is not set"), "\(unset.stderr)")
    }

    // MARK: - Commands

    @Test func aCommandGetsTheRunJSONOnStdinAndTheVariables() throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let out = cli.folder.appendingPathComponent("hook-out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        _ = try Self.add(
            cli,
            [
                "--on", "success,failure", "--tenant", "contoso", "--command",
                #"cat > "$HOOK_OUT/$TENANTPILOT_EVENT.json"; env | grep '^TENANTPILOT_' | sort > "$HOOK_OUT/$TENANTPILOT_EVENT.env""#,
            ])
        let environment = ["HOOK_OUT": out.path]
        let run = try cli.run(["run", "contoso/nightly", "--json"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let runId = try #require(try run.json()["id"] as? Int)
        let input = try Data(contentsOf: out.appendingPathComponent("success.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: input) as? [String: Any])
        #expect(document["id"] as? Int == runId)
        #expect(document["status"] as? String == "success")
        #expect(document["schedule"] as? String == "nightly")
        let variables = try String(contentsOf: out.appendingPathComponent("success.env"), encoding: .utf8)
        for line in [
            "TENANTPILOT_EVENT=success", "TENANTPILOT_RUN_ID=\(runId)", "TENANTPILOT_TENANT=contoso",
            "TENANTPILOT_SCHEDULE=nightly", "TENANTPILOT_STATUS=success", "TENANTPILOT_ERROR_CODE=",
        ] {
            #expect(variables.split(separator: "\n").contains(Substring(line)), "\(line) in \(variables)")
        }
        let failed = try cli.run(
            ["run", "contoso/nightly", "--now", "2026-06-03T10:00:00Z"],
            environment: environment.merging(["SIM_SECRET": "wrong"]) { $1 })
        #expect(failed.status == 1)
        let failure = try String(contentsOf: out.appendingPathComponent("failure.env"), encoding: .utf8)
        #expect(failure.contains("TENANTPILOT_ERROR_CODE=GRAPH_AUTH_FAILED"), "\(failure)")
    }

    @Test func aCommandThatFailsOrHangsIsReportedAndKilled() throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let failing = try Self.add(cli, ["--on", "success", "--command", "echo 'no route to pager' >&2; exit 3"])
        let hanging = try Self.add(cli, ["--on", "success", "--command", "sleep 60", "--timeout", "1s"])
        let started = Date()
        let run = try cli.run(["run", "contoso/nightly"])
        #expect(run.status == 0)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(
            run.stderr.contains("hook \(failing)  ") && run.stderr.contains("exited 3: no route to pager"),
            "\(run.stderr)")
        #expect(
            run.stderr.contains("hook \(hanging)  ") && run.stderr.contains("did not end within 1 s"), "\(run.stderr)")
    }

    // MARK: - Management

    @Test(arguments: [
        (["--on", "success", "--webhook", "http://hooks.example.com/services/token"], "http://hooks.example.com/…"),
        (["--on", "success", "--webhook", "ftp://hooks.example.com/x"], "ftp://hooks.example.com/…"),
        (["--on", "success", "--ping", "not a url"], "not a url"),
        (["--on", "sucess", "--ping", "https://hc-ping.com/x"], "sucess"),
        (["--on", "success", "--schedule", "contoso/nope", "--ping", "https://hc-ping.com/x"], "contoso/nope"),
        (["--on", "success", "--tenant", "nobody", "--ping", "https://hc-ping.com/x"], "nobody"),
        (["--on", "success", "--webhook-env", "1BAD"], "1BAD"),
        (["--on", "success"], "--webhook"),
        (["--on", "success", "--ping", "https://hc-ping.com/x", "--command", "true"], "--command"),
    ])
    func badInputExitsTwoNamesTheValueAndWritesNothing(_ arguments: [String], _ named: String) throws {
        let cli = CLI()
        try cli.createStore()
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", "deviceConfiguration",
        ])
        #expect(added.status == 0)
        let before = try cli.databaseContent()
        let result = try cli.run(["hooks", "add"] + arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(named), "\(result.stderr)")
        #expect(!result.stderr.contains("services/token"), "a URL is never echoed whole")
        #expect(try cli.databaseContent() == before)
    }

    @Test func aMistypedEventIsAnsweredWithTheNearestOne() throws {
        let cli = CLI()
        try cli.createStore()
        let result = try cli.run(["hooks", "add", "--on", "start,sucess", "--ping", "https://hc-ping.com/x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(#"unknown event "sucess" (did you mean "success"?)"#), "\(result.stderr)")
    }

    @Test func aRemovedHookFiresNoMoreAndTestSendsATestEvent() async throws {
        let (simulator, cli) = try Self.setUp()
        defer { withExtendedLifetime(simulator) {} }
        let receiver = try HookReceiver(answer: .status(204))
        let id = try Self.add(cli, ["--on", "success", "--webhook", receiver.baseURL + "/h"])
        let test = try cli.run(["hooks", "test", String(id)])
        #expect(test.status == 0, "\(test.stderr)")
        #expect(test.stdout.contains("hook \(id) delivered (HTTP 204, 1 attempt)"), "\(test.stdout)")
        #expect(try receiver.received.first?.json()["event"] as? String == "test")
        let removed = try cli.run(["hooks", "remove", String(id)])
        #expect(removed.status == 0)
        #expect(try cli.run(["run", "contoso/nightly"]).status == 0)
        #expect(receiver.received.count == 1)
        #expect(try cli.run(["hooks", "remove", String(id)]).status == 2)
        let actions = try Self.auditActions(cli).compactMap { $0["action"] as? String }
        #expect(actions.contains("hook.created") && actions.contains("hook.removed"))
    }

    // MARK: - Drift and restore

    @Test func driftAndARestoreFireTheirHooks() async throws {
        let simulator = try RestoreCommandTests.simulator()
        let cli = try RestoreCommandTests.setUp(simulator)
        let receiver = try HookReceiver(answer: .status(200))
        _ = try Self.add(
            cli,
            [
                "--on", "drift,start,success,partial,failure", "--tenant", "contoso", "--webhook",
                receiver.baseURL + "/h",
            ])
        try await simulator.control(
            "POST", "tenants/\(SimulatorProcess.tenantGuid)/mutate", ["changed": 1, "added": 0, "deleted": 0])
        let drift = try cli.run(["drift", "contoso/nightly"])
        #expect(drift.status == 5)
        let driftEvent = try #require(try receiver.received.last?.json())
        #expect(driftEvent["event"] as? String == "drift")
        #expect(driftEvent["schedule"] as? String == "nightly")
        #expect((driftEvent["drift"] as? [String: Any])?["changed"] is [Any])
        let restore = try cli.run(["restore", "1", "--apply"])
        #expect([0, 3].contains(restore.status), "\(restore.stderr)")
        let events = try receiver.received.dropFirst().map { try $0.json()["event"] as? String }
        #expect(events.first == "start", "\(events)")
        #expect(events.count == 2)
        let ended = try #require(try receiver.received.last?.json()["run"] as? [String: Any])
        #expect(ended["trigger"] as? String == "restore")
    }
}
