import Foundation
import TenantPilotTestSupport
import Testing

/// `store copy` through the real binary: a SQLite installation with history moved into an
/// empty PostgreSQL database reads the same there, and goes on where it left off.
@Suite(.enabled(if: TestPostgreSQLServer.current != nil)) struct StoreCopyTests {
    /// Listings that must read the same from both stores.
    static let listings: [[String]] = [
        ["tenants", "list"], ["schedules", "list"], ["runs", "list"], ["runs", "show", "2"], ["backups", "list"],
        ["backups", "show", "1"], ["backups", "show", "3"], ["backups", "diff", "1", "3"],
        ["notifications", "list", "--actor", "tester"], ["audit", "list", "--limit", "1000"],
    ]

    @Test func aCopiedStoreReadsTheSameAndGoesOnWithTheNextIds() async throws {
        let simulator = try SimulatorProcess(policiesPerType: 3)
        let sqlite = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(
            sqlite, name: "nightly", types: "deviceConfiguration,settingsCatalogPolicy,roleScopeTag,assignmentFilter")
        for (index, now) in ["2026-06-02T10:00:00Z", "2026-06-02T11:00:00Z", "2026-06-02T12:00:00Z"].enumerated() {
            if index == 2 {
                try await simulator.control(
                    "POST", "tenants/\(SimulatorProcess.tenantGuid)/mutate", ["changed": 2, "added": 1, "deleted": 1])
            }
            #expect(try sqlite.run(["run", "contoso/nightly", "--now", now]).status == 0)
        }
        #expect(try sqlite.run(["dispatch", "--now", "2026-06-03T00:00:30Z"]).status == 0)

        let postgreSQL = try CLI(.postgreSQL)
        postgreSQL.environment["SIM_SECRET"] = SimulatorProcess.clientSecret
        let url = try #require(postgreSQL.database?.url)
        let copy = try sqlite.run(
            ["store", "copy", "--from", sqlite.databasePath, "--to", url, "--json"],
            environment: ["PGPASSWORD": try #require(postgreSQL.database?.password)])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stderr.isEmpty, "no progress when stderr is not a terminal: \(copy.stderr)")
        let report = try copy.json()
        let rows = try #require(report["rows"] as? [String: Int])
        // Three runs, then a dispatch: the missed slot of the day before, and the due one.
        #expect(rows["backup_schedule_runs"] == 5 && rows["backup_sets"] == 4 && rows["tenants"] == 1, "\(rows)")
        #expect((rows["backup_payloads"] ?? 0) > 0)

        let audit = try #require(
            try postgreSQL.run(["audit", "list", "--limit", "1000", "--json"]).json()["entries"] as? [[String: Any]])
        let copied = try #require(audit.first)
        #expect(copied["action"] as? String == "store.copied")
        #expect((copied["metadata"] as? [String: Any])?["from"] as? String == sqlite.databasePath)
        for listing in Self.listings {
            let before = try sqlite.run(listing + ["--json"])
            let after = try postgreSQL.run(listing + ["--json"])
            #expect(before.status == 0 && after.status == 0, "\(listing): \(after.stderr)")
            if listing.first == "audit" {
                // The copy's own entry comes first, then the copied log.
                let original = try #require(try before.json()["entries"] as? [[String: Any]])
                let moved = try #require(try after.json()["entries"] as? [[String: Any]])
                #expect(try Self.canonical(Array(moved.dropFirst())) == Self.canonical(original))
            } else {
                #expect(after.stdout == before.stdout, "\(listing) differs after the copy")
            }
        }
        let exportedA = sqlite.folder.appendingPathComponent("a").path
        let exportedB = sqlite.folder.appendingPathComponent("b").path
        // At one instant: the manifest records when it was exported.
        let at = ["--now", "2026-06-05T00:00:00Z"]
        #expect(try sqlite.run(["backups", "export", "3", "--out", exportedA] + at).status == 0)
        #expect(try postgreSQL.run(["backups", "export", "3", "--out", exportedB] + at).status == 0)
        #expect(try Self.files(exportedA) == Self.files(exportedB), "the payloads come out byte for byte")

        // The ids go on from the copied ones.
        let next = try postgreSQL.run(["run", "contoso/nightly", "--now", "2026-06-04T10:00:00Z", "--json"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try next.json()["id"] as? Int == 6)
        #expect(try next.json()["backup_set_id"] as? Int == 5)

        // A second copy into the same database is refused, and writes nothing.
        let content = try postgreSQL.databaseContent()
        let again = try sqlite.run(
            ["store", "copy", "--from", sqlite.databasePath, "--to", url],
            environment: ["PGPASSWORD": try #require(postgreSQL.database?.password)])
        #expect(again.status == 2)
        #expect(again.stderr.contains("is not empty"), "\(again.stderr)")
        #expect(try postgreSQL.databaseContent() == content)
    }

    /// On a terminal the copy shows its progress on stderr, one line rewritten in place, and
    /// clears it at the end; `script` gives it a terminal.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func onATerminalTheCopyShowsItsProgress() throws {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let sqlite = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(sqlite, name: "nightly")
        #expect(try sqlite.run(["run", "contoso/nightly", "--now", "2026-06-02T10:00:00Z"]).status == 0)
        let target = try CLI(.postgreSQL)
        let url = try #require(target.database?.url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = "'\(CLI.binary.path)' store copy --from '\(sqlite.databasePath)' --to '\(url)'"
        process.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        process.environment = sqlite.environment.merging(["PGPASSWORD": try #require(target.database?.password)]) {
            $1
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExitWithoutSpinning()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("\r\u{1B}[K  backup_payloads: "), "\(text.debugDescription)")
        #expect(text.contains(" rows"))
        #expect(text.contains("copied "), "\(text.debugDescription)")
        #expect(try target.scalar("SELECT count(*) FROM backup_sets") == 1)
    }

    /// No store to copy is no store, as for every other command: `STORE_NOT_FOUND`, exit 1.
    @Test func aMissingSourceIsStoreNotFoundAndNothingIsWritten() throws {
        let cli = CLI()
        let result = try cli.run([
            "store", "copy", "--from", "/no/such/store.sqlite", "--to", "postgresql://tester@127.0.0.1:9/db", "--json",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("/no/such/store.sqlite"), "\(result.stderr)")
        #expect(try result.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "STORE_NOT_FOUND")
        #expect(!FileManager.default.fileExists(atPath: "/no/such/store.sqlite"))
    }

    @Test(arguments: [
        (["--from", "x.sqlite", "--to", "/tmp/other.sqlite"], "/tmp/other.sqlite"),
        (["--from", "x.sqlite", "--to", "postgresql://tester@127.0.0.1/db?sslmode=bogus"], "bogus"),
    ])
    func badInputExitsTwoNamingTheValue(arguments: [String], named: String) throws {
        let cli = CLI()
        let result = try cli.run(["store", "copy"] + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(named), "\(result.stderr)")
    }

    static func canonical(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    }

    /// Every file under `folder` with its bytes, by relative path.
    static func files(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let path = enumerator?.nextObject() as? String {
            var directory: ObjCBool = false
            let full = folder + "/" + path
            if FileManager.default.fileExists(atPath: full, isDirectory: &directory), !directory.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return files
    }
}
