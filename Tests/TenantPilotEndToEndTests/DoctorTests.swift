import Foundation
import Testing

/// `tenantpilot doctor` through the real binary (issue 7): exit 0 when runs would work, exit 1
/// and a line that says what to fix when they would not, and never a secret's value.
@Suite struct DoctorTests {
    static let tenantGuid = "11111111-2222-3333-4444-555555555555"

    static func addTenant(_ cli: CLI, name: String = "contoso", secretArguments: [String]) throws {
        let added = try cli.run(
            ["tenants", "add", "--name", name, "--tenant-id", tenantGuid, "--client-id", "app-\(name)"]
                + secretArguments)
        #expect(added.status == 0, "\(added.stderr)")
    }

    @Test func aHealthyStoreExitsZeroAndSaysWhatItChecked() throws {
        let cli = CLI()
        try Self.addTenant(cli, secretArguments: ["--client-secret-env", "CONTOSO_SECRET"])
        let doctor = try cli.run(["doctor"], environment: ["CONTOSO_SECRET": "s3cr3t-value"])
        #expect(doctor.status == 0, "\(doctor.stdout)\n\(doctor.stderr)")
        let lines = doctor.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.hasPrefix("ok   store: \(cli.databasePath) (WAL, ") && $0.hasSuffix("integrity ok)") })
        #expect(lines.contains { $0.hasPrefix("ok   store file mode: 0600") })
        #expect(lines.contains { $0.hasPrefix("ok   lock folder: \(cli.databasePath).locks") })
        #expect(lines.contains { $0.hasPrefix("ok   registry: ") && $0.contains("policy types") })
        #expect(lines.contains { $0 == "ok   secret of tenant contoso: environment variable CONTOSO_SECRET is set" })
        #expect(!doctor.stdout.contains("s3cr3t-value"))
        #expect(!doctor.stderr.contains("s3cr3t-value"))
    }

    @Test func aMissingEnvironmentSecretFailsAndNamesTheVariable() throws {
        let cli = CLI()
        try Self.addTenant(cli, secretArguments: ["--client-secret-env", "CONTOSO_SECRET"])
        var environment = cli.environment
        environment["CONTOSO_SECRET"] = nil
        cli.environment = environment
        let doctor = try cli.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(
            doctor.stdout.split(separator: "\n").contains {
                $0.hasPrefix("FAIL secret of tenant contoso: environment variable CONTOSO_SECRET is not set")
            }, "\(doctor.stdout)")
    }

    @Test func aSecretFileOthersCanReadFails() throws {
        let cli = CLI()
        let secretFile = cli.folder.appendingPathComponent("contoso.secret")
        try Data("file-secret-value\n".utf8).write(to: secretFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secretFile.path)
        try Self.addTenant(cli, secretArguments: ["--client-secret-file", secretFile.path])

        let exposed = try cli.run(["doctor"])
        #expect(exposed.status == 1)
        #expect(
            exposed.stdout.contains(
                "FAIL secret of tenant contoso: file \(secretFile.path) is readable by group or others (0644)"),
            "\(exposed.stdout)")
        #expect(!exposed.stdout.contains("file-secret-value"))

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)
        let fixed = try cli.run(["doctor"])
        #expect(fixed.status == 0, "\(fixed.stdout)")
        #expect(fixed.stdout.contains("ok   secret of tenant contoso: file \(secretFile.path) (0600)"))
    }

    @Test func jsonIsOneDocumentWithEveryCheck() throws {
        let cli = CLI()
        try Self.addTenant(cli, secretArguments: ["--client-secret-env", "CONTOSO_SECRET"])
        try Self.addTenant(cli, name: "fabrikam", secretArguments: ["--client-secret-env", "FABRIKAM_SECRET"])
        let doctor = try cli.run(["doctor", "--json"], environment: ["CONTOSO_SECRET": "x"])
        #expect(doctor.status == 1)
        let document = try doctor.json()
        #expect(document["ok"] as? Bool == false)
        let checks = try #require(document["checks"] as? [[String: Any]])
        #expect(checks.allSatisfy { ["ok", "fail", "warn", "skipped"].contains($0["status"] as? String ?? "") })
        #expect(checks.allSatisfy { $0["name"] is String && $0["detail"] is String })
        let byName = Dictionary(
            checks.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byName["store"]?["status"] as? String == "ok")
        #expect(byName["secret of tenant contoso"]?["status"] as? String == "ok")
        #expect(byName["secret of tenant fabrikam"]?["status"] as? String == "fail")
        #expect(byName["token of tenant contoso"] == nil, "without --online, Graph is not asked")
    }

    @Test func onlineGetsATokenAndReadsOnePolicyOfEveryTypeOfTheSchedules() async throws {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: "deviceConfiguration,roleScopeTag")
        try await simulator.control("POST", "stats/reset")
        let doctor = try cli.run(["doctor", "--online"])
        #expect(doctor.status == 0, "\(doctor.stdout)\n\(doctor.stderr)")
        #expect(doctor.stdout.contains("ok   token of tenant contoso: token issued by 127.0.0.1"), "\(doctor.stdout)")
        #expect(
            doctor.stdout.contains(
                "ok   graph read of tenant contoso: deviceConfiguration: read 1 policy, more follow"),
            "\(doctor.stdout)")
        #expect(
            doctor.stdout.contains("ok   graph read of tenant contoso: roleScopeTag: read 1 policy"), "\(doctor.stdout)"
        )
        let stats = try await simulator.control("GET", "stats")
        #expect(stats["token"] as? Int == 1, "\(stats)")
        #expect(stats["list"] as? Int == 2, "one small read per type: \(stats)")
        #expect(!doctor.stdout.contains(SimulatorProcess.clientSecret))
    }

    @Test func onlineWithARefusedSecretFailsTheTokenCheckAndSkipsTheRead() async throws {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try EngineProcessTests.cli(with: simulator)
        let doctor = try cli.run(["doctor", "--online", "--json"], environment: ["SIM_SECRET": "wrong-secret-value"])
        #expect(doctor.status == 1)
        let checks = try #require(try doctor.json()["checks"] as? [[String: Any]])
        let token = try #require(checks.first { $0["name"] as? String == "token of tenant contoso" })
        #expect(token["status"] as? String == "fail")
        #expect((token["detail"] as? String)?.contains("refused the client credentials") == true, "\(token)")
        let read = try #require(checks.first { $0["name"] as? String == "graph read of tenant contoso" })
        #expect(read["status"] as? String == "skipped")
        #expect(!doctor.stdout.contains("wrong-secret-value") && !doctor.stderr.contains("wrong-secret-value"))
    }

    @Test func aStoreOthersCanReadFails() throws {
        let cli = CLI()
        try Self.addTenant(cli, secretArguments: ["--client-secret-env", "CONTOSO_SECRET"])
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: cli.databasePath)
        let doctor = try cli.run(["doctor"], environment: ["CONTOSO_SECRET": "x"])
        #expect(doctor.status == 1)
        #expect(
            doctor.stdout.contains("FAIL store file mode: group or others can access \(cli.databasePath) (0644)"),
            "\(doctor.stdout)")
    }

    @Test func noStoreIsAFailureNamingThePathAndItsSourceAndCreatesNothing() throws {
        let cli = CLI()
        let doctor = try cli.run(["doctor"])
        #expect(doctor.status == 1, "\(doctor.stdout)")
        #expect(
            doctor.stdout.contains(
                "FAIL store: STORE_NOT_FOUND: no store at \(cli.databasePath) (from $TENANTPILOT_DB)"),
            "\(doctor.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath + ".locks"))
    }

    @Test func anOverdueSlotSaysCronIsNotDispatching() throws {
        let cli = CLI()
        try Self.addTenant(cli, secretArguments: ["--client-secret-env", "CONTOSO_SECRET"])
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "Europe/Berlin", "--at",
            "02:00",
            "--types", "deviceConfiguration", "--now", "2026-04-01T12:00:00Z",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let onTime = try cli.run(["doctor", "--now", "2026-04-02T00:02:00Z"], environment: ["CONTOSO_SECRET": "x"])
        #expect(onTime.stdout.contains("ok   dispatch: no slot overdue"), "\(onTime.stdout)")
        let late = try cli.run(["doctor", "--now", "2026-04-02T03:00:00Z"], environment: ["CONTOSO_SECRET": "x"])
        #expect(late.status == 0)
        #expect(
            late.stdout.contains(
                "WARN dispatch: the slot 2026-04-02T00:00:00Z of contoso/nightly passed 180 minutes ago"),
            "\(late.stdout)")
    }
}
