import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary given hostile input and a hostile environment: output that cannot be
/// written, bad values, symbolic links and kernel files where a store or a secret should be,
/// and control characters from Graph on a terminal.
@Suite(.timeLimit(.minutes(5))) struct HardenedInputTests {
    // MARK: - Output that cannot be written

    @Test func aFullStdoutEndsWithExitOneAndNoCrash() throws {
        let cli = CLI()
        let full = try MeasuredRun(cli, ["policy-types", "list"], stdout: .path("/dev/full"))
        #expect(full.signal == 0, "killed by signal \(full.signal)")
        #expect(full.status == 1)
        #expect(!full.stderr.contains("Fatal error"), "\(full.stderr)")
        let json = try MeasuredRun(cli, ["policy-types", "list", "--json"], stdout: .path("/dev/full"))
        #expect(json.signal == 0)
        #expect(json.status == 1)
    }

    @Test func aFullStdoutKeepsTheCodeOfAFailure() throws {
        let cli = CLI()
        try cli.createStore()
        let result = try MeasuredRun(cli, ["schedules", "show", "nope/none", "--json"], stdout: .path("/dev/full"))
        #expect(result.signal == 0)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("error: "))
    }

    @Test func aClosedPipeEndsWithExitOneAndNoSignal() throws {
        let cli = CLI()
        let result = try MeasuredRun(cli, ["policy-types", "list"], stdout: .closedPipe)
        #expect(result.signal == 0, "killed by signal \(result.signal)")
        #expect(result.status == 1)
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func aFullStderrNeverCrashes() throws {
        let cli = CLI()
        try cli.createStore()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["schedules", "show", "nope/none"]
        process.environment = cli.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        try process.run()
        process.waitUntilExitWithoutSpinning()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 2)
    }

    // MARK: - Bad values

    @Test(arguments: [
        ["--db", ""], ["--actor", String(repeating: "a", count: 257)], ["--actor", "evil\nroot"],
        ["--actor", "x\u{1B}[2J"],
    ])
    func aBadGlobalOptionIsBadInput(_ options: [String]) throws {
        let cli = CLI()
        let result = try cli.run(["tenants", "list"] + options)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(options[0]))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing written")
    }

    @Test func anEmptyExportFolderIsBadInput() throws {
        let cli = CLI()
        let result = try cli.run(["backups", "export", "1", "--out", ""])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--out"))
    }

    @Test(arguments: [
        ["--tenant-id", "11111111-2222-3333-4444-555555555555\n", "--client-secret-env", "S"],
        ["--tenant-id", "11111111-2222-3333-4444-555555555555", "--client-secret-env", "S\n"],
        ["--tenant-id", "11111111-2222-3333-4444-555555555555", "--client-secret-file", "/tmp/secret\nfile"],
        ["--tenant-id", "11111111-2222-3333-4444-555555555555", "--client-secret-file", "/proc/self/environ"],
        ["--tenant-id", "11111111-2222-3333-4444-555555555555", "--client-secret-file", "/dev/null"],
    ])
    func aBadTenantIsRefusedBeforeAnythingIsWritten(_ options: [String]) throws {
        let cli = CLI()
        let result = try cli.run(["tenants", "add", "--name", "contoso", "--client-id", "app"] + options)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("\n\n"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing written")
    }

    @Test func aHundredKilobyteZoneIsRefusedWithoutSuggestions() throws {
        let cli = CLI()
        let zone = "Europe/" + String(repeating: "x", count: 100_000)
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "n", "--timezone", zone, "--at", "02:00", "--types",
            "deviceConfiguration",
        ])
        #expect(added.status == 2)
        #expect(added.stderr.contains("100007 bytes"), "\(added.stderr.prefix(300))")
        #expect(added.stderr.count < 500, "the bad value is not echoed whole")
    }

    // MARK: - The store and its folders

    @Test func theStoreAndItsFoldersGetTheirModesWhateverTheUmask() throws {
        let cli = CLI()
        let path = cli.folder.appendingPathComponent("deep/er/tenantpilot.sqlite").path
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c",
            "umask 000; exec \"$0\" tenants add --db \"$1\" --name c --tenant-id "
                + "11111111-2222-3333-4444-555555555555 --client-id a --client-secret-env S",
            CLI.binary.path, path,
        ]
        shell.environment = cli.environment
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        shell.waitUntilExitWithoutSpinning()
        #expect(shell.terminationStatus == 0)
        func mode(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
        }
        #expect(mode(path) == 0o600)
        #expect(mode(cli.folder.appendingPathComponent("deep/er").path) == 0o700)
        #expect(mode(cli.folder.appendingPathComponent("deep").path) == 0o700)
    }

    @Test func aStoreIsNeverCreatedThroughADanglingLink() throws {
        let cli = CLI()
        let target = cli.folder.appendingPathComponent("elsewhere.sqlite").path
        let link = cli.folder.appendingPathComponent("store.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let listed = try cli.run(["tenants", "list", "--db", link, "--json"])
        #expect(listed.status == 1)
        #expect(try listed.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "STORE_NOT_FOUND")
        let result = try cli.run([
            "tenants", "add", "--db", link, "--name", "c", "--tenant-id", "11111111-2222-3333-4444-555555555555",
            "--client-id", "a", "--client-secret-env", "S",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("symbolic link"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    // MARK: - Secrets

    @Test func aSecretFileOnAKernelFileSystemIsNeverReadAtRunTime() throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: "deviceConfiguration")
        // Registered as a plain file, swapped for a link to /proc afterwards.
        let secret = cli.folder.appendingPathComponent("secret").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: secret))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
        let added = try cli.run([
            "tenants", "add", "--name", "other", "--tenant-id", SimulatorProcess.tenantGuid, "--client-id", "app",
            "--client-secret-file", secret, "--graph-url", simulator.baseURL, "--authority-url", simulator.baseURL,
        ])
        #expect(added.status == 0, "\(added.stderr)")
        try FileManager.default.removeItem(atPath: secret)
        try FileManager.default.createSymbolicLink(atPath: secret, withDestinationPath: "/proc/self/environ")
        let schedule = try cli.run([
            "schedules", "add", "--tenant", "other", "--name", "n", "--timezone", "UTC", "--at", "02:00", "--types",
            "deviceConfiguration",
        ])
        #expect(schedule.status == 0)
        let result = try cli.run(["run", "other/n", "--json"])
        #expect(result.status == 1)
        let run = try result.json()
        #expect(run["error_code"] as? String == "CREDENTIALS_UNAVAILABLE")
        #expect((run["error_message"] as? String)?.contains("kernel file system (proc)") == true, "\(run)")
    }

    // MARK: - A clock that is not the system's

    @Test func aCommandThatWritesWithASetClockSaysSoAndOneThatReadsDoesNot() throws {
        let cli = CLI()
        #expect(
            try cli.run([
                "tenants", "add", "--name", "contoso", "--tenant-id", DoctorTests.tenantGuid, "--client-id", "a",
                "--client-secret-env", "S",
            ]).status == 0)
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "n", "--timezone", "UTC", "--at", "02:00", "--types",
            "deviceConfiguration", "--now", "2030-06-01T00:00:00Z",
        ])
        #expect(added.status == 0)
        #expect(added.stderr.hasPrefix("note: the clock of this command is 2030-06-01T00:00:0"), "\(added.stderr)")
        #expect(added.stderr.contains("set by --now"))
        // A rehearsal that has nothing to do says nothing at all; one that runs something says so.
        let idle = try cli.run(["dispatch"], environment: ["TENANTPILOT_NOW": "2030-06-01T00:00:00Z"])
        #expect(idle.stderr.isEmpty && idle.stdout.isEmpty, "\(idle.stderr)")
        let rehearsal = try cli.run(["dispatch"], environment: ["TENANTPILOT_NOW": "2030-06-01T02:00:00Z"])
        #expect(rehearsal.stderr.contains("set by TENANTPILOT_NOW"), "\(rehearsal.stderr)")
        let listed = try cli.run(["schedules", "list", "--now", "2030-06-01T00:00:00Z"])
        #expect(listed.status == 0)
        #expect(listed.stderr.isEmpty, "\(listed.stderr)")
        // Real time after the rehearsal: the step back is noticed and said.
        let real = try cli.run(["dispatch"])
        #expect(real.status == 0)
        #expect(
            real.stderr.contains("the clock reads earlier than the last dispatch (2030-06-01T02:00:0"), "\(real.stderr)"
        )
        let again = try cli.run(["dispatch"])
        #expect(again.stderr.isEmpty, "said once: \(again.stderr)")
    }

    // MARK: - Graph's strings on a terminal

    @Test func controlCharactersInDisplayNamesAreShownEscaped() async throws {
        let simulator = try SimulatorProcess(policiesPerType: 0)
        let cli = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: "deviceConfiguration")
        try await simulator.control(
            "POST", "tenants/\(SimulatorProcess.tenantGuid)/policies/deviceConfiguration",
            ["displayName": "evil\u{1B}[2J\u{1B}]0;owned\u{07}\nFAKE LINE\u{0}tail"])
        let run = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let setId = try #require(try run.json()["backup_set_id"] as? Int)
        let shown = try cli.run(["backups", "show", String(setId)])
        #expect(shown.status == 0)
        #expect(
            !shown.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0 },
            "\(shown.stdout.debugDescription)")
        #expect(!shown.stdout.contains("\nFAKE LINE"))
        #expect(shown.stdout.contains(#"evil\u{1B}[2J"#), "\(shown.stdout)")
        // The NUL did not cut the name short.
        let json = try cli.run(["backups", "show", String(setId), "--json"]).json()
        let name = try #require((json["items"] as? [[String: Any]])?.first?["display_name"] as? String)
        #expect(name.hasSuffix("tail"), "\(name.debugDescription)")
    }
}
