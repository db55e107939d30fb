import Foundation
import GRDB
import Testing

/// Unattended operation through the real binary (issue 12): a store that is not there fails
/// loudly, runs that did not succeed are named on stderr and nothing else is, `status` says
/// whether every tenant is backed up (its exit code a monitoring check), and `metrics` is the
/// same in Prometheus's text format. States are built with `--now`.
@Suite struct MonitoringCommandTests {
    // MARK: - No store, no success

    @Test(arguments: [
        ["dispatch"], ["status"], ["metrics"], ["hooks", "list"], ["schedules", "list"], ["runs", "list"],
        ["run", "contoso/nightly"], ["tenants", "list"], ["audit", "list"],
    ])
    func aCommandGivenNoStoreFailsNamingThePathAndCreatesNothing(_ command: [String]) throws {
        let cli = CLI()
        let result = try cli.run(command + ["--json"])
        #expect(result.status == 1, "\(command): \(result.stderr)")
        let error = try #require(try result.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "STORE_NOT_FOUND")
        #expect(result.stderr.contains("no store at \(cli.databasePath) (from $TENANTPILOT_DB)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath + ".locks"))
    }

    @Test func theMessageSaysWhichRuleChoseThePath() throws {
        let cli = CLI()
        let explicit = cli.folder.appendingPathComponent("x/typo.sqlite").path
        let byOption = try cli.run(["dispatch", "--db", explicit])
        #expect(byOption.status == 1)
        #expect(byOption.stderr.contains("no store at \(explicit) (from --db)"), "\(byOption.stderr)")
        let home = cli.folder.appendingPathComponent("home").path
        let byHome = try cli.run(["dispatch"], environment: ["TENANTPILOT_DB": "", "TENANTPILOT_HOME": home])
        #expect(byHome.stderr.contains("no store at \(home)/tenantpilot.sqlite (from $TENANTPILOT_HOME)"))
        let byDefault = try cli.run(
            ["dispatch"], environment: ["TENANTPILOT_DB": "", "TENANTPILOT_HOME": "", "XDG_STATE_HOME": home])
        #expect(byDefault.stderr.contains("no store at \(home)/tenantpilot/tenantpilot.sqlite (the default location"))
        #expect(!FileManager.default.fileExists(atPath: home))
        // The creating command creates it.
        let added = try cli.run(
            [
                "tenants", "add", "--name", "c", "--tenant-id", "11111111-2222-3333-4444-555555555555",
                "--client-id", "a", "--client-secret-env", "S",
            ], environment: ["TENANTPILOT_DB": "", "TENANTPILOT_HOME": home])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(FileManager.default.fileExists(atPath: home + "/tenantpilot.sqlite"))
    }

    // MARK: - Quiet success, loud failure

    /// Four schedules due at 02:00 UTC on 2026-06-01: two succeed, one ends partial (a 403 on
    /// one collection), one fails (its secret is not set); a tenant without schedules.
    static func fleet(_ backend: TestBackend = .sqlite) async throws -> (SimulatorProcess, CLI) {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try EngineProcessTests.cli(with: simulator, backend: backend)
        let offline = try cli.run([
            "tenants", "add", "--name", "offline", "--tenant-id", "22222222-2222-3333-4444-555555555555",
            "--client-id", "a", "--client-secret-env", "UNSET_SECRET", "--graph-url", simulator.baseURL,
            "--authority-url", simulator.baseURL,
        ])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(try cli.createStore(tenant: "spare").status == 0)
        for (tenant, name, types) in [
            ("contoso", "nightly", "deviceConfiguration"), ("contoso", "partly", "deviceConfiguration,roleScopeTag"),
            ("contoso", "flaky", "deviceConfiguration"), ("offline", "nightly", "deviceConfiguration"),
        ] {
            let added = try cli.run([
                "schedules", "add", "--tenant", tenant, "--name", name, "--timezone", "UTC", "--at", "02:00",
                "--types", types, "--now", "2026-06-01T00:00:00Z",
            ])
            #expect(added.status == 0, "\(added.stderr)")
        }
        try await simulator.control("POST", "faults", ["fault": "forbidden", "target": "collection:roleScopeTag"])
        return (simulator, cli)
    }

    static func runLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("run ") }
    }

    @Test(arguments: TestBackend.available)
    func dispatchNamesExactlyTheRunsThatDidNotSucceedOnStderr(backend: TestBackend) async throws {
        let (simulator, cli) = try await Self.fleet(backend)
        defer { withExtendedLifetime(simulator) {} }
        let dispatch = try cli.run(["dispatch", "--now", "2026-06-01T02:00:30Z"])
        #expect(dispatch.status == 1, "a run failed: \(dispatch.stderr)")
        #expect(Self.runLines(dispatch.stdout).count == 4, "\(dispatch.stdout)")
        let problems = Self.runLines(dispatch.stderr)
        #expect(problems.count == 2, "\(dispatch.stderr)")
        #expect(
            problems.contains { $0.contains("  contoso/partly  scheduled  partial  GRAPH_FORBIDDEN  ") },
            "\(problems)")
        #expect(
            problems.contains {
                $0.contains("  offline/nightly  scheduled  failed  CREDENTIALS_UNAVAILABLE  ")
                    && $0.contains("UNSET_SECRET")
            }, "\(problems)")
        #expect(problems.allSatisfy { $0.count < 320 && !$0.contains("\n") })

        // --quiet: nothing on stdout, the same lines on stderr; nothing due: nothing at all.
        let quiet = try cli.run(["dispatch", "--quiet", "--now", "2026-06-02T02:00:30Z"])
        #expect(quiet.stdout.isEmpty)
        #expect(Self.runLines(quiet.stderr).count == 2, "\(quiet.stderr)")
        let nothingDue = try cli.run(["dispatch", "--now", "2026-06-02T02:30:00Z"])
        #expect(nothingDue.status == 0)
        #expect(nothingDue.stdout.isEmpty && nothingDue.stderr.isEmpty, "\(nothingDue.stderr)")
    }

    @Test func runAndRetrySayOnStderrWhenTheRunDidNotSucceed() async throws {
        let (simulator, cli) = try await Self.fleet()
        defer { withExtendedLifetime(simulator) {} }
        let success = try cli.run(["run", "contoso/nightly", "--quiet"])
        #expect(success.status == 0)
        #expect(success.stdout.isEmpty && success.stderr.isEmpty, "\(success.stderr)")
        let failed = try cli.run(["run", "offline/nightly", "--json"])
        #expect(failed.status == 1)
        let id = try #require(try failed.json()["id"] as? Int)
        let lines = Self.runLines(failed.stderr)
        #expect(lines.count == 1, "\(failed.stderr)")
        #expect(lines.first?.hasPrefix("run \(id)  offline/nightly  manual  failed  CREDENTIALS_UNAVAILABLE  ") == true)
        let retried = try cli.run(["retry", String(id), "--now", "2026-06-01T05:00:00Z"])
        #expect(retried.status == 1)
        #expect(
            Self.runLines(retried.stderr).first?.contains("offline/nightly  retry  failed  CREDENTIALS_UNAVAILABLE")
                == true, "\(retried.stderr)")
    }

    @Test func anAbandonedRunRecoveredIsNamedOnStderr() throws {
        let cli = CLI()
        try cli.createStore()
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", "deviceConfiguration", "--now", "2026-06-01T00:00:00Z",
        ])
        #expect(added.status == 0)
        try EngineProcessTests.execute(
            cli,
            """
            INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status,
                process, created_at, started_at)
            VALUES (1, 1, '2026-06-01T01:00:00Z', 'manual', 'running', '999999999:1', '2026-06-01T01:00:00Z',
                '2026-06-01T01:00:00Z')
            """)
        let dispatch = try cli.run(["dispatch", "--now", "2026-06-01T01:30:00Z"])
        #expect(dispatch.status == 0, "\(dispatch.stderr)")
        let lines = Self.runLines(dispatch.stderr)
        #expect(lines.count == 1, "\(dispatch.stderr)")
        #expect(lines.first?.hasPrefix("run 1  contoso/nightly  manual  failed  ABANDONED  ") == true, "\(lines)")
    }

    // MARK: - status

    /// The fleet after 02:00's dispatch, a failed manual run of `flaky`, and two schedules added
    /// later: one whose slot passed without a dispatch (overdue), one not due yet (pending).
    static func fleetAfterADay(_ backend: TestBackend = .sqlite) async throws -> (SimulatorProcess, CLI) {
        let (simulator, cli) = try await fleet(backend)
        #expect(try cli.run(["dispatch", "--now", "2026-06-01T02:00:30Z"]).status == 1)
        let failed = try cli.run(
            ["run", "contoso/flaky", "--now", "2026-06-01T02:10:00Z"], environment: ["SIM_SECRET": "wrong"])
        #expect(failed.status == 1)
        for (name, at) in [("weekly", "03:00"), ("later", "23:00"), (#"odd "name\ here"#, "23:30")] {
            let added = try cli.run([
                "schedules", "add", "--tenant", "contoso", "--name", name, "--timezone", "UTC", "--at", at,
                "--types", "deviceConfiguration", "--now", "2026-06-01T02:30:00Z",
            ])
            #expect(added.status == 0, "\(added.stderr)")
        }
        return (simulator, cli)
    }

    @Test(arguments: TestBackend.available)
    func statusGivesEveryScheduleItsStateAndExitsOneWhenAnyIsNotBackedUp(backend: TestBackend) async throws {
        let (simulator, cli) = try await Self.fleetAfterADay(backend)
        defer { withExtendedLifetime(simulator) {} }
        let status = try cli.run(["status", "--json", "--now", "2026-06-01T04:00:00Z"])
        #expect(status.status == 1, "\(status.stderr)")
        let document = try status.json()
        #expect(document["ok"] as? Bool == false)
        let rows = try #require(document["status"] as? [[String: Any]])
        var states: [String: String] = [:]
        for row in rows {
            let name = [row["tenant"] as? String, row["schedule"] as? String].compactMap { $0 }.joined(separator: "/")
            states[name] = row["state"] as? String
        }
        #expect(
            states == [
                "contoso/nightly": "ok", "contoso/partly": "partial", "contoso/flaky": "failing",
                "contoso/weekly": "overdue", "contoso/later": "pending", #"contoso/odd "name\ here"#: "pending",
                "offline/nightly": "never", "spare": "unscheduled",
            ], "\(states)")
        let keys: Set<String> = [
            "tenant", "schedule", "schedule_id", "state", "detail", "last_backup_set_id", "last_backup_at",
            "last_backup_age_seconds", "last_backup_items", "last_run_id", "last_run_at", "last_run_status",
            "last_run_error_code", "next_run_at",
        ]
        #expect(rows.allSatisfy { Set($0.keys) == keys }, "\(rows.first?.keys.sorted() ?? [])")
        let nightly = try #require(
            rows.first { $0["schedule"] as? String == "nightly" && $0["tenant"] as? String == "contoso" })
        let age = try #require(nightly["last_backup_age_seconds"] as? Int)
        #expect((7170...7200).contains(age), "the set of 02:00:30 is about two hours old at 04:00: \(age)")
        #expect((nightly["last_backup_at"] as? String)?.hasSuffix("Z") == true)
        #expect(nightly["last_run_status"] as? String == "success")
        let flaky = try #require(rows.first { $0["schedule"] as? String == "flaky" })
        #expect(flaky["last_run_error_code"] as? String == "GRAPH_AUTH_FAILED")
        #expect(flaky["last_backup_set_id"] is Int, "its earlier backup is still the last usable one")

        // One tenant's rows; a tenant whose rows are all fine passes the check.
        let spare = try cli.run(["status", "--tenant", "spare", "--now", "2026-06-01T04:00:00Z"])
        #expect(spare.status == 0, "\(spare.stdout)")
        #expect(spare.stdout.hasPrefix("OK: "), "\(spare.stdout)")
        let plain = try cli.run(["status", "--now", "2026-06-01T04:00:00Z"])
        #expect(plain.stdout.hasPrefix("PROBLEM: 4 of 8 not backed up"), "\(plain.stdout)")
        #expect(plain.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(plain.stdout)")
        let typo = try cli.run(["status", "--tenant", "contsoo"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains(#"did you mean "contoso"?"#), "\(typo.stderr)")
    }

    @Test func statusIsOkWhenEverySlotSucceededAndPendingBeforeTheFirst() async throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: "deviceConfiguration")
        let before = try cli.run(["status", "--now", "2026-06-01T00:30:00Z"])
        #expect(before.status == 0, "pending: \(before.stdout)")
        #expect(before.stdout.contains("pending"))
        // The slot (02:00 Berlin = 00:00 UTC next day) passes without a dispatch: overdue.
        let overdue = try cli.run(["status", "--now", "2026-06-02T00:06:00Z"])
        #expect(overdue.status == 1)
        #expect(overdue.stdout.contains("overdue"))
        #expect(try cli.run(["dispatch", "--now", "2026-06-02T00:01:00Z"]).status == 0)
        let after = try cli.run(["status", "--now", "2026-06-02T00:06:00Z", "--json"])
        #expect(after.status == 0, "\(after.stdout)")
        #expect(try after.json()["ok"] as? Bool == true)
    }

    // MARK: - metrics

    static func sample(_ text: String, _ name: String, _ labels: String) -> Double? {
        let prefix = "\(name){\(labels)} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
            Double($0.dropFirst(prefix.count))
        }
    }

    @Test(arguments: TestBackend.available)
    func metricsExposeTheSameFactsInPrometheusTextFormat(backend: TestBackend) async throws {
        let (simulator, cli) = try await Self.fleetAfterADay(backend)
        defer { withExtendedLifetime(simulator) {} }
        let metrics = try cli.run(["metrics", "--now", "2026-06-01T04:00:00Z"])
        #expect(metrics.status == 0, "\(metrics.stderr)")
        let text = metrics.stdout
        let names = [
            ("tenantpilot_schedule_last_success_timestamp_seconds", "gauge"),
            ("tenantpilot_schedule_last_run_timestamp_seconds", "gauge"),
            ("tenantpilot_schedule_next_run_timestamp_seconds", "gauge"),
            ("tenantpilot_schedule_last_run_status", "gauge"), ("tenantpilot_schedule_ok", "gauge"),
            ("tenantpilot_runs_total", "counter"), ("tenantpilot_backup_set_items", "gauge"),
            ("tenantpilot_store_size_bytes", "gauge"),
        ]
        for (name, type) in names {
            #expect(text.contains("\n# HELP \(name) ") || text.hasPrefix("# HELP \(name) "), "\(name)")
            #expect(text.contains("# TYPE \(name) \(type)\n"), "\(name)")
        }
        // Every line is a comment or `name{labels} value` with a number.
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Double(value) != nil, "\(line)")
        }
        #expect(text.hasSuffix("\n"))
        let nightly = #"tenant="contoso",schedule="nightly""#
        let success = try #require(Self.sample(text, "tenantpilot_schedule_last_success_timestamp_seconds", nightly))
        #expect((1_780_279_230...1_780_279_290).contains(success), "02:00:30Z and a little: \(success)")
        #expect(Self.sample(text, "tenantpilot_schedule_ok", nightly) == 1)
        #expect(Self.sample(text, "tenantpilot_schedule_next_run_timestamp_seconds", nightly) == 1_780_365_600)
        #expect(Self.sample(text, "tenantpilot_backup_set_items", nightly) == 2)
        let partly = #"tenant="contoso",schedule="partly""#
        #expect(Self.sample(text, "tenantpilot_schedule_ok", partly) == 0)
        #expect(Self.sample(text, "tenantpilot_runs_total", partly + #",status="partial""#) == 1)
        #expect(Self.sample(text, "tenantpilot_runs_total", partly + #",status="success""#) == 0)
        #expect(Self.sample(text, "tenantpilot_schedule_last_run_status", partly + #",status="partial""#) == 1)
        #expect(Self.sample(text, "tenantpilot_schedule_last_run_status", partly + #",status="success""#) == 0)
        let flaky = #"tenant="contoso",schedule="flaky""#
        #expect(Self.sample(text, "tenantpilot_runs_total", flaky + #",status="failed""#) == 1)
        #expect(Self.sample(text, "tenantpilot_schedule_ok", #"tenant="offline",schedule="nightly""#) == 0)
        #expect(
            Self.sample(
                text, "tenantpilot_schedule_last_success_timestamp_seconds", #"tenant="offline",schedule="nightly""#)
                == 0)
        // Label values are escaped as the format says.
        #expect(text.contains(#"schedule="odd \"name\\ here"}"#), "\(text)")
        let size = text.split(separator: "\n").first { $0.hasPrefix("tenantpilot_store_size_bytes ") }
        #expect((size.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) > 4096, "\(size ?? "")")

        // --textfile: the same exposition, written atomically, 0644 whatever the umask.
        let folder = cli.folder.appendingPathComponent("textfiles")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("tenantpilot.prom").path
        let written = try cli.run(["metrics", "--textfile", path, "--now", "2026-06-01T04:00:00Z"])
        #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["tenantpilot.prom"])
        let unwritable = try cli.run(["metrics", "--textfile", "/nonexistent/folder/t.prom"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("/nonexistent/folder/t.prom"))
    }

    @Test func dispatchWritesTheTextfileAfterEveryCycleAndStaysSilent() async throws {
        let (simulator, cli) = try await Self.fleet()
        defer { withExtendedLifetime(simulator) {} }
        let path = cli.folder.appendingPathComponent("dispatch.prom").path
        let idle = try cli.run(["dispatch", "--metrics-textfile", path, "--now", "2026-06-01T01:00:00Z"])
        #expect(idle.status == 0)
        #expect(idle.stdout.isEmpty && idle.stderr.isEmpty, "\(idle.stderr)")
        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(before.contains(#"tenantpilot_runs_total{tenant="contoso",schedule="nightly",status="success"} 0"#))
        let busy = try cli.run(["dispatch", "--metrics-textfile", path, "--now", "2026-06-01T02:00:30Z"])
        #expect(busy.status == 1)
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.contains(#"tenantpilot_runs_total{tenant="contoso",schedule="nightly",status="success"} 1"#))
    }
}
