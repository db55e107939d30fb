import Foundation
import Testing

/// Tenants, policy types and schedules through the real binary (issue 2's contract).
@Suite struct ManagementCommandTests {
    static let tenantGuid = "11111111-2222-3333-4444-555555555555"

    static func withTenant() throws -> CLI {
        let cli = CLI()
        let added = try cli.run([
            "tenants", "add", "--name", "contoso", "--tenant-id", tenantGuid, "--client-id", "app-1",
            "--client-secret-env", "CONTOSO_SECRET",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        return cli
    }

    @Test func walkthroughOfTheManagementCommandsWithJSON() throws {
        let cli = try Self.withTenant()
        let tenants = try cli.run(["tenants", "list", "--json"]).json()
        let tenantRows = try #require(tenants["tenants"] as? [[String: Any]])
        #expect(tenantRows.count == 1)
        #expect(tenantRows.first?["client_secret_env"] as? String == "CONTOSO_SECRET")

        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "Europe/Berlin", "--at",
            "02:00",
            "--types", "settingsCatalogPolicy,deviceConfiguration", "--keep-last", "7", "--json",
            "--now", "2026-03-28T12:00:00Z",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let schedule = try added.json()
        for field in [
            "id", "tenant", "name", "enabled", "timezone", "timetable", "policy_types", "keep_last", "next_run_at",
            "last_run_at", "last_run_status",
        ] {
            #expect(schedule.keys.contains(field), "schedule JSON lacks \(field)")
        }
        // 02:00 Berlin on the 29th is inside the spring-forward gap: the next slot is the 30th.
        #expect(schedule["next_run_at"] as? String == "2026-03-30T00:00:00Z")
        #expect(schedule["policy_types"] as? [String] == ["settingsCatalogPolicy", "deviceConfiguration"])
        #expect(schedule["keep_last"] as? Int == 7)

        let shown = try cli.run(["schedules", "show", "contoso/nightly", "--json"]).json()
        #expect(shown["id"] as? Int == schedule["id"] as? Int)

        let updated = try cli.run(["schedules", "update", "contoso/nightly", "--keep-last", "9", "--json"]).json()
        #expect(updated["keep_last"] as? Int == 9)

        let disabled = try cli.run(["schedules", "disable", "contoso/nightly", "--json"]).json()
        #expect(disabled["enabled"] as? Bool == false)
        #expect(disabled["next_run_at"] is NSNull)
        let enabled = try cli.run(["schedules", "enable", "contoso/nightly", "--json", "--now", "2026-04-01T12:00:00Z"])
            .json()
        #expect(enabled["next_run_at"] as? String == "2026-04-02T00:00:00Z")

        let listed = try cli.run(["schedules", "list", "--json"]).json()
        #expect((listed["schedules"] as? [[String: Any]])?.count == 1)

        let removed = try cli.run(["schedules", "remove", "contoso/nightly"])
        #expect(removed.status == 0)
        let afterRemoval = try cli.run(["schedules", "list", "--json"]).json()
        #expect((afterRemoval["schedules"] as? [[String: Any]])?.isEmpty == true)

        let audit = try cli.run(["audit", "list", "--json"]).json()
        let actions = Set((audit["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
        #expect(
            actions.isSuperset(of: [
                "tenant.created", "backup_schedule.created", "backup_schedule.updated", "backup_schedule.disabled",
                "backup_schedule.enabled", "backup_schedule.removed",
            ]))
        #expect((audit["entries"] as? [[String: Any]])?.allSatisfy { $0["actor"] as? String == "tester" } == true)
    }

    @Test func policyTypesListIsTheRegistry() throws {
        let cli = CLI()
        let listed = try cli.run(["policy-types", "list", "--json"])
        #expect(listed.status == 0)
        let types = try #require(try listed.json()["policy_types"] as? [[String: Any]])
        #expect(types.count >= 20)
        #expect(types.contains { $0["key"] as? String == "conditionalAccessPolicy" })
    }

    /// Each case: arguments after `schedules add`/`tenants add`, and the bad value the message must name.
    static let invalidCases: [(arguments: [String], named: String)] = [
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--at", "02:00",
                "--types", "deviceConfigurations",
            ], "deviceConfigurations"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--at", "02:00",
                "--types", "",
            ], "--types"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "Europe/Berln", "--at", "02:00",
                "--types", "deviceConfiguration",
            ], "Europe/Berln"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--at", "25:00",
                "--types", "deviceConfiguration",
            ], "25:00"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--at", "2am", "--types",
                "deviceConfiguration",
            ], "2am"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--at", "02:00",
                "--days", "mon,funday", "--types", "deviceConfiguration",
            ], "funday"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--cron", "61 * * * *",
                "--types", "deviceConfiguration",
            ], "61"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--cron", "0 2 * *",
                "--types", "deviceConfiguration",
            ], "0 2 * *"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--cron", "0 0 31 2 *",
                "--types", "deviceConfiguration",
            ], "0 0 31 2 *"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a", "--timezone", "UTC", "--at", "02:00",
                "--types", "deviceConfiguration", "--keep-last", "0",
            ], "0"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "existing", "--timezone", "UTC", "--at", "02:00",
                "--types", "deviceConfiguration",
            ], "existing"
        ),
        (
            [
                "schedules", "add", "--tenant", "fabrikam", "--name", "a", "--timezone", "UTC", "--at", "02:00",
                "--types", "deviceConfiguration",
            ], "fabrikam"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", String(repeating: "n", count: 300), "--timezone",
                "UTC", "--at", "02:00", "--types", "deviceConfiguration",
            ], "300"
        ),
        (
            [
                "schedules", "add", "--tenant", "contoso", "--name", "a/b", "--timezone", "UTC", "--at", "02:00",
                "--types", "deviceConfiguration",
            ], "a/b"
        ),
        (
            [
                "tenants", "add", "--name", "t2", "--tenant-id", "not-a-guid", "--client-id", "x",
                "--client-secret-env", "S",
            ], "not-a-guid"
        ),
        (
            [
                "tenants", "add", "--name", "t2", "--tenant-id", tenantGuid, "--client-id", "x", "--client-secret-env",
                "S", "--graph-url", "http://graph.example.com",
            ], "http://graph.example.com"
        ),
        (
            [
                "tenants", "add", "--name", "t2", "--tenant-id", tenantGuid, "--client-id", "x", "--client-secret-env",
                "S", "--authority-url", "http://10.0.0.1",
            ], "http://10.0.0.1"
        ),
        (
            [
                "tenants", "add", "--name", "contoso", "--tenant-id", tenantGuid, "--client-id", "x",
                "--client-secret-env", "S",
            ], "contoso"
        ),
        (
            [
                "tenants", "add", "--name", String(repeating: "t", count: 500), "--tenant-id", tenantGuid,
                "--client-id", "x", "--client-secret-env", "S",
            ], "500"
        ),
        (["schedules", "update", "contoso/existing", "--timezone", "Mars/Olympus"], "Mars/Olympus"),
        (["schedules", "show", "contoso/nope"], "contoso/nope"),
        (["dispatch", "--grace", "5 minutes"], "5 minutes"),
    ]

    @Test(arguments: invalidCases)
    func badInputExitsTwoNamesTheValueAndWritesNothing(arguments: [String], named: String) throws {
        let cli = try Self.withTenant()
        let existing = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "existing", "--timezone", "UTC", "--at", "03:00",
            "--types",
            "deviceConfiguration",
        ])
        #expect(existing.status == 0)
        let before = try cli.databaseContent()

        let result = try cli.run(arguments)
        #expect(result.status == 2, "\(arguments): exit \(result.status), \(result.stderr)")
        #expect(result.stderr.contains(named), "stderr does not name \(named): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try cli.databaseContent() == before)

        let json = try cli.run(arguments + ["--json"])
        #expect(json.status == 2)
        let error = try #require(try json.json()["error"] as? [String: Any])
        #expect(error["code"] is String)
        #expect((error["message"] as? String)?.contains(named) == true)
        #expect(try cli.databaseContent() == before)
    }

    @Test func theSecretValueIsNeverStoredNorPrinted() throws {
        let cli = CLI()
        let secret = "s3cr3t-VALUE-\(UUID().uuidString)"
        let secretFile = cli.folder.appendingPathComponent("secret.txt")
        try Data(secret.utf8).write(to: secretFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)
        var outputs: [CLI.Result] = []
        outputs.append(
            try cli.run(
                [
                    "tenants", "add", "--name", "a", "--tenant-id", Self.tenantGuid, "--client-id", "x",
                    "--client-secret-env", "A_SECRET",
                ],
                environment: ["A_SECRET": secret]))
        outputs.append(
            try cli.run(
                [
                    "tenants", "add", "--name", "b", "--tenant-id", Self.tenantGuid, "--client-id", "y",
                    "--client-secret-file", secretFile.path,
                ]))
        outputs.append(try cli.run(["tenants", "list"], environment: ["A_SECRET": secret]))
        outputs.append(try cli.run(["tenants", "list", "--json"], environment: ["A_SECRET": secret]))
        outputs.append(try cli.run(["audit", "list", "--json"], environment: ["A_SECRET": secret]))
        for output in outputs {
            #expect(output.status == 0)
            #expect(!output.stdout.contains(secret))
            #expect(!output.stderr.contains(secret))
        }
        let directory = URL(fileURLWithPath: cli.databasePath).deletingLastPathComponent()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
                continue
            }
            #expect(data.range(of: Data(secret.utf8)) == nil, "the secret is in \(file)")
        }
    }

    @Test func jsonOutputIsOneDocumentAndNothingElse() throws {
        let cli = try Self.withTenant()
        _ = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "n", "--timezone", "UTC", "--cron", "*/15 * * * *",
            "--types",
            "deviceConfiguration",
        ])
        for arguments in [
            ["tenants", "list"], ["policy-types", "list"], ["schedules", "list"], ["schedules", "show", "1"],
            ["schedules", "next", "1", "--count", "3"], ["runs", "list"], ["audit", "list"], ["notifications", "list"],
            ["schedules", "show", "999"],
        ] {
            let result = try cli.run(arguments + ["--json"])
            let parsed = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            #expect(parsed is [String: Any], "\(arguments): stdout is not one JSON object: \(result.stdout)")
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let cli = CLI()
        #expect(try cli.run(["schedules", "add", "--bogus"]).status == 2)
        #expect(try cli.run(["no-such-command"]).status == 2)
        #expect(try cli.run(["--help"]).status == 0)
    }
}
