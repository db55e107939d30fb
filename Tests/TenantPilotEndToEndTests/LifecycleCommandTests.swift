import Foundation
import GRDB
import Testing

/// Tenants and backups from onboarding to offboarding, through the real binary (issue 14).
@Suite struct LifecycleCommandTests {
    static let guidA = "11111111-2222-3333-4444-555555555555"
    static let guidB = "22222222-3333-4444-5555-666666666666"

    static func add(_ cli: CLI, _ name: String, guid: String = guidA, client: String = "app-1") throws -> CLI.Result {
        try cli.run([
            "tenants", "add", "--name", name, "--tenant-id", guid, "--client-id", client, "--client-secret-env",
            "LIFECYCLE_SECRET",
        ])
    }

    // MARK: - Onboarding

    @Test func aSecondRegistrationOfOneAppIsRefusedAndAnUnsetVariableIsOnlyAWarning() throws {
        let cli = CLI()
        let first = try Self.add(cli, "contoso")
        #expect(first.status == 0)
        #expect(first.stderr.contains("warning: LIFECYCLE_SECRET is not set in this shell"), "\(first.stderr)")
        let before = try cli.databaseContent()
        let second = try Self.add(cli, "contoso-again")
        #expect(second.status == 2)
        #expect(second.stderr.contains("already registered as \"contoso\""), "\(second.stderr)")
        #expect(try cli.databaseContent() == before)
        let set = try cli.run(
            [
                "tenants", "add", "--name", "quiet", "--tenant-id", Self.guidB, "--client-id", "app-1",
                "--client-secret-env", "LIFECYCLE_SECRET",
            ], environment: ["LIFECYCLE_SECRET": "value"])
        #expect(set.status == 0)
        #expect(set.stderr.isEmpty, "quiet success: \(set.stderr)")
    }

    @Test func importIsAllOrNothingAndNamesTheBadLineAndField() throws {
        let cli = CLI()
        let csv = cli.folder.appendingPathComponent("tenants.csv")
        try """
        name,tenant_id,client_id,client_secret_file
        contoso,\(Self.guidA),app-1,secrets/contoso
        "fabrikam, EU",\(Self.guidB),app-1,secrets/fabrikam
        broken,not-a-guid,app-1,secrets/broken

        """.write(to: csv, atomically: true, encoding: .utf8)
        let refused = try cli.run(["tenants", "import", csv.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("line 4, field tenant_id"), "\(refused.stderr)")
        #expect(refused.stderr.contains("not-a-guid"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing written, not even a store")

        let unknown = cli.folder.appendingPathComponent("unknown.csv")
        try "name,tenant_id,client_id,client_secret_env,region\n".write(to: unknown, atomically: true, encoding: .utf8)
        let column = try cli.run(["tenants", "import", unknown.path])
        #expect(column.status == 2)
        #expect(column.stderr.contains("unknown column \"region\""), "\(column.stderr)")

        try """
        name,tenant_id,client_id,client_secret_file
        contoso,\(Self.guidA),app-1,secrets/contoso
        "fabrikam, EU",\(Self.guidB),app-1,secrets/fabrikam

        """.write(to: csv, atomically: true, encoding: .utf8)
        let dryRun = try cli.run(["tenants", "import", csv.path, "--dry-run", "--json"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(try dryRun.json()["dry_run"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "a dry run creates no store")
        let imported = try cli.run(["tenants", "import", csv.path, "--json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let rows = try #require(try imported.json()["tenants"] as? [[String: Any]])
        #expect(rows.map { $0["line"] as? Int } == [2, 3])
        #expect(rows.map { $0["name"] as? String } == ["contoso", "fabrikam, EU"])
        #expect(imported.stderr.contains("line 2: secret file"), "missing secret files are warnings")
        let secretPath = cli.folder.appendingPathComponent("secrets/contoso").path
        let list = try cli.run(["tenants", "list", "--json"]).json()
        let sources = (list["tenants"] as? [[String: Any]] ?? []).compactMap { $0["client_secret_file"] as? String }
        #expect(sources.contains(secretPath), "relative paths are read from the file's folder: \(sources)")
        // Again: every row collides now, and nothing changes.
        let before = try cli.databaseContent()
        let again = try cli.run(["tenants", "import", csv.path])
        #expect(again.status == 2)
        #expect(again.stderr.contains("line 2:"), "\(again.stderr)")
        #expect(try cli.databaseContent() == before)
    }

    // MARK: - Changing and offboarding

    @Test(arguments: TestBackend.available)
    func updateRemoveAndPurgeKeepTheAuditLog(backend: TestBackend) throws {
        let cli = try CLI(backend)
        cli.environment["LIFECYCLE_SECRET"] = "value"
        #expect(try Self.add(cli, "contoso").status == 0)
        #expect(try Self.add(cli, "fabrikam", guid: Self.guidB).status == 0)
        let schedule = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", "deviceConfiguration",
        ])
        #expect(schedule.status == 0, "\(schedule.stderr)")

        let updated = try cli.run([
            "tenants", "update", "contoso", "--client-secret-env", "OTHER_UNSET_VAR", "--graph-url",
            "https://graph.microsoft.us", "--json",
        ])
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stderr.contains("warning: OTHER_UNSET_VAR is not set"))
        #expect(try updated.json()["client_secret_env"] as? String == "OTHER_UNSET_VAR")
        let badUpdate = try cli.run(["tenants", "update", "contoso", "--graph-url", "http://example.com"])
        #expect(badUpdate.status == 2)
        #expect(badUpdate.stderr.contains("http://example.com"))

        let refused = try cli.run(["tenants", "remove", "contoso"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("contoso/nightly"), "\(refused.stderr)")
        let removed = try cli.run(["tenants", "remove", "contoso", "--with-schedules", "--json"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try removed.json()["removed_schedule_ids"] as? [Int] == [1])
        let names = (try cli.run(["tenants", "list", "--json"]).json()["tenants"] as? [[String: Any]] ?? [])
            .compactMap { $0["name"] as? String }
        #expect(names == ["fabrikam"])
        let all = try cli.run(["tenants", "list", "--all", "--json"]).json()["tenants"] as? [[String: Any]] ?? []
        #expect(all.contains { $0["name"] as? String == "contoso" && $0["removed"] as? Bool == true })
        let shown = try cli.run(["tenants", "show", "contoso", "--json"])
        #expect(shown.status == 0)
        #expect((try shown.json()["tenant"] as? [String: Any])?["removed"] as? Bool == true)

        let purged = try cli.run(["tenants", "remove", "contoso", "--purge", "--json"])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(try purged.json()["purged"] as? Bool == true)
        let audit = try cli.run(["audit", "list", "--tenant", "contoso", "--json"]).json()
        let actions = (audit["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        for action in [
            "tenant.created", "tenant.updated", "backup_schedule.removed", "tenant.removed", "tenant.purged",
        ] {
            #expect(actions.contains(action), "\(action) missing from \(actions)")
        }
        // A returning customer gets its name back.
        #expect(try Self.add(cli, "contoso").status == 0)
    }

    /// A purge deletes what the tenant owned — sets, items, runs, notifications, policies, and the
    /// payloads nothing else holds — and leaves its row and its audit trail.
    @Test(arguments: TestBackend.available)
    func aPurgeDeletesEverythingTheTenantOwnedButItsRowAndAuditLog(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try EngineProcessTests.cli(with: simulator, backend: backend)
        try EngineProcessTests.addSchedule(cli, name: "nightly")
        for now in ["2026-06-02T10:00:00Z", "2026-06-02T11:00:00Z"] {
            #expect(try cli.run(["run", "contoso/nightly", "--now", now]).status == 0)
        }
        #expect(try cli.run(["retry", "2", "--now", "2026-06-02T12:00:00Z"]).status == 2, "a success is not retried")
        #expect(try cli.scalar("SELECT count(*) FROM backup_payloads") > 0)
        #expect(try cli.scalar("SELECT count(*) FROM notifications") > 0)
        let audited = try cli.scalar("SELECT count(*) FROM audit_logs WHERE tenant_id = 1")

        #expect(try cli.run(["tenants", "remove", "contoso", "--with-schedules"]).status == 0)
        let purged = try cli.run(["tenants", "remove", "contoso", "--purge", "--json"])
        #expect(purged.status == 0, "\(purged.stderr)")
        for table in [
            "backup_sets", "backup_items", "backup_item_versions", "backup_payloads", "backup_item_keys",
            "backup_schedule_runs", "notifications", "policies",
        ] {
            #expect(try cli.scalar("SELECT count(*) FROM \(table)") == 0, "\(table) after the purge")
        }
        #expect(try cli.scalar("SELECT count(*) FROM tenants WHERE purged_at IS NOT NULL") == 1)
        #expect(try cli.scalar("SELECT count(*) FROM audit_logs WHERE tenant_id = 1") > audited)
    }

    // MARK: - Retention rules

    @Test(arguments: TestBackend.available)
    func badRuleCountsAreRefusedNamingTheValue(backend: TestBackend) throws {
        let cli = try CLI(backend)
        cli.environment["LIFECYCLE_SECRET"] = "value"
        #expect(try Self.add(cli, "contoso").status == 0)
        let base = [
            "schedules", "add", "--tenant", "contoso", "--name", "n", "--timezone", "UTC", "--at", "02:00", "--types",
            "deviceConfiguration",
        ]
        let before = try cli.databaseContent()
        for (option, shown) in [
            ("--keep-daily=0", "--keep-daily 0"), ("--keep-weekly=-3", "--keep-weekly -3"),
            ("--keep-monthly=many", "many"),
        ] {
            let result = try cli.run(base + [option])
            #expect(result.status == 2, "\(option)")
            #expect(result.stderr.contains(shown), "\(option): \(result.stderr)")
        }
        #expect(try cli.databaseContent() == before)
        let created = try cli.run(base + ["--keep-daily", "7", "--keep-weekly", "4", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let document = try created.json()
        #expect(document["keep_last"] is NSNull, "no keep-last 30 once a rule is given")
        #expect(document["keep_daily"] as? Int == 7)
        #expect(document["keep_weekly"] as? Int == 4)
        let unknown = try cli.run(["backups", "delete", "4242"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("4242"))
    }

    @Test(arguments: TestBackend.available)
    func calendarRulesAgainstTheSimulatorNameEveryKeepingRule(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try EngineProcessTests.cli(with: simulator, backend: backend)
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "Europe/Berlin", "--at",
            "02:00", "--types", "deviceConfiguration", "--now", "2026-03-01T00:00:00Z",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        // One set a day from 20 to 31 March (across Berlin's change to summer time on the 29th).
        for day in 20...31 {
            let run = try cli.run(["run", "contoso/nightly", "--now", "2026-03-\(day)T00:30:00Z"])
            #expect(run.status == 0, "\(day): \(run.stderr)")
        }
        let manual = try cli.run([
            "backups", "create", "--tenant", "contoso", "--types", "deviceConfiguration", "--json",
        ])
        #expect(manual.status == 0, "\(manual.stderr)")
        #expect(manual.stderr.isEmpty)
        #expect(try manual.json()["schedule_id"] is NSNull)
        let pinned = try cli.run(["backups", "pin", "1", "--note", "before the baseline change"])
        #expect(pinned.status == 0, "\(pinned.stderr)")

        let lowered = try cli.run([
            "schedules", "update", "contoso/nightly", "--keep-last", "none", "--keep-daily", "3", "--keep-weekly",
            "3",
        ])
        #expect(lowered.status == 0, "\(lowered.stderr)")
        #expect(lowered.stderr.contains("will delete"), "\(lowered.stderr)")

        let plan = try cli.run(["retention", "apply", "--schedule", "contoso/nightly", "--dry-run", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let schedule = try #require((try plan.json()["schedules"] as? [[String: Any]])?.first)
        let sets = schedule["sets"] as? [[String: Any]] ?? []
        #expect(sets.count == 12, "the manual set is never the schedule's")
        func rules(_ id: Int) -> [String] {
            sets.first { $0["id"] as? Int == id }?["rules"] as? [String] ?? ["?"]
        }
        #expect(rules(12) == ["daily", "weekly", "newest_complete"])
        #expect(rules(11) == ["daily"])
        #expect(rules(10) == ["daily", "weekly"])
        // 22 March (a Sunday) is the newest of ISO week 12.
        #expect(rules(3) == ["weekly"])
        #expect(rules(1) == ["pinned"])
        #expect(rules(2) == [])
        let human = try cli.run(["retention", "apply", "--schedule", "contoso/nightly", "--dry-run"])
        #expect(human.stdout.contains("newest of week 2026-W12 (keep-weekly 3)"), "\(human.stdout)")
        #expect(human.stdout.contains("pinned"))
        let applied = try cli.run(["retention", "apply", "--schedule", "contoso/nightly", "--json"])
        #expect((try applied.json()["schedules"] as? [[String: Any]])?.first?["sets_deleted"] as? Int == 7)
        let remaining = try cli.run(["backups", "list", "--json"]).json()["backup_sets"] as? [[String: Any]] ?? []
        #expect(remaining.compactMap { $0["id"] as? Int }.sorted() == [1, 3, 10, 11, 12, 13])

        let out = cli.folder.appendingPathComponent("export")
        let exported = try cli.run(["backups", "export", "13", "--out", out.path])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
        let again = try cli.run(["backups", "export", "13", "--out", out.path])
        #expect(again.status == 2)
        #expect(try cli.run(["backups", "export", "13", "--out", out.path, "--force"]).status == 0)

        let refused = try cli.run(["backups", "delete", "1"])
        #expect(refused.status == 2, "a pinned set is not deleted without --force")
        let deleted = try cli.run(["backups", "delete", "13", "--json"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(try deleted.json()["deleted"] as? [Int] == [13])
    }
}
