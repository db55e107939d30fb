import Foundation
import TenantPilotTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The PostgreSQL store through the real binary: how it is named and logged into, what bad input
/// and a refused login look like, and what several hosts sharing it may and may not do to each
/// other's runs.
@Suite struct PostgreSQLStoreTests {
    static var server: TestPostgreSQLServer? { TestPostgreSQLServer.current }

    @Test func theServerIsThereWhenTheTestCommandRequiresIt() {
        if TestPostgreSQLServer.isRequired {
            #expect(Self.server != nil, "scripts/test requires the PostgreSQL test server, and none is configured")
        }
    }

    @Test(arguments: [
        ("postgresql://", "postgresql://"),
        ("postgresql://tester@127.0.0.1:5432", "names no database"),
        ("postgresql://tester@127.0.0.1:99999/db", "postgresql://tester@127.0.0.1:99999/db"),
        ("postgresql://tester@127.0.0.1/db?sslmode=bogus", "sslmode=\"bogus\""),
        ("postgresql://tester@127.0.0.1/db?color=blue", "\"color\""),
        ("postgres://tester@127.0.0.1/db?connect_timeout=0", "connect_timeout=\"0\""),
        ("postgresql://tester@127.0.0.1/db?sslmode=verify-full&sslrootcert=/no/such/ca.pem", "/no/such/ca.pem"),
    ])
    func aBadURLExitsTwoNamingTheValue(url: String, named: String) throws {
        let cli = CLI()
        let result = try cli.run(["tenants", "list", "--db", url, "--json"])
        #expect(result.status == 2, "\(url): \(result.stderr)")
        #expect(result.stderr.contains(named), "\(result.stderr)")
        #expect(try result.json()["error"] != nil)
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingPrinted() throws {
        let cli = CLI()
        let url = "postgresql://tester:hunter2-secret@127.0.0.1:5432/db"
        let result = try cli.run(["tenants", "list", "--json"], environment: ["TENANTPILOT_DB": url])
        #expect(result.status == 2)
        #expect(result.stderr.contains("TENANTPILOT_DB") && result.stderr.contains("PGPASSWORD"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
    }

    @Test(.enabled(if: server != nil))
    func aWrongPasswordFailsWithinSecondsAndIsNeverPrintedNorLogged() throws {
        let cli = try CLI(.postgreSQL)
        let password = "wrong-\(UUID().uuidString)"
        let started = Date()
        let result = try cli.run(
            ["tenants", "list", "--json", "--log-level", "trace"], environment: ["PGPASSWORD": password])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("password authentication failed"), "\(result.stderr)")
        #expect(result.stderr.contains("PGPASSWORD"), "says where the password came from: \(result.stderr)")
        #expect(!result.stderr.contains(password) && !result.stdout.contains(password))
        #expect(try result.json()["error"] != nil)
    }

    @Test func anUnreachableServerFailsWithinSeconds() throws {
        let cli = CLI()
        let port = Self.closedPort()
        let started = Date()
        let result = try cli.run(
            ["runs", "list"],
            environment: ["TENANTPILOT_DB": "postgresql://tester@127.0.0.1:\(port)/db", "PGPASSWORD": "not-shown-1234"])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to the store postgresql://tester@127.0.0.1:\(port)/db"))
        #expect(!result.stderr.contains("not-shown-1234"))
    }

    @Test(.enabled(if: server != nil))
    func thePasswordComesFromAFileOrThePasswordFileAsLibpqReadsIt() throws {
        let cli = try CLI(.postgreSQL)
        cli.environment["PGPASSWORD"] = nil
        let password = try #require(cli.database?.password)
        let file = cli.folder.appendingPathComponent("db-password")
        try Data((password + "\n").utf8).write(to: file)
        chmod(file.path, 0o600)
        let fromFile = try cli.run([
            "tenants", "add", "--name", "contoso", "--tenant-id", "11111111-2222-3333-4444-555555555555",
            "--client-id", "app", "--client-secret-env", "SECRET", "--db-password-file", file.path,
        ])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")

        // ~/.pgpass (here PGPASSFILE): host:port:database:user:password, `*` matching anything.
        let databaseURL = try #require(cli.database?.url)
        let url = try #require(URLComponents(string: databaseURL))
        let pgpass = cli.folder.appendingPathComponent("pgpass")
        try Data("# tests\nother:1:*:*:nope\n127.0.0.1:\(url.port ?? 0):*:tenantpilot:\(password)\n".utf8).write(
            to: pgpass)
        chmod(pgpass.path, 0o600)
        let fromPgpass = try cli.run(["tenants", "list"], environment: ["PGPASSFILE": pgpass.path])
        #expect(fromPgpass.status == 0, "\(fromPgpass.stderr)")

        // One that others can read is ignored, with a warning, as libpq does.
        chmod(pgpass.path, 0o644)
        let exposed = try cli.run(["tenants", "list"], environment: ["PGPASSFILE": pgpass.path])
        #expect(exposed.status == 1)
        #expect(exposed.stderr.contains("group or world access"), "\(exposed.stderr)")
        #expect(!exposed.stderr.contains(password))

        let unreadable = try cli.run(["tenants", "list", "--db-password-file", "/no/such/file"])
        #expect(unreadable.status == 2 && unreadable.stderr.contains("/no/such/file"), "\(unreadable.stderr)")
    }

    /// Retention on PostgreSQL as on SQLite: the payloads only the deleted set held go, those the
    /// kept set shares stay, and the tables that lost rows are vacuumed, so their space is reused.
    @Test(.enabled(if: server != nil))
    func retentionDeletesThePayloadsNothingElseHoldsAndVacuumsTheirTables() async throws {
        let simulator = try SimulatorProcess(policiesPerType: 4)
        let cli = try EngineProcessTests.cli(with: simulator, backend: .postgreSQL)
        try EngineProcessTests.addSchedule(cli, name: "nightly")
        #expect(try cli.run(["run", "contoso/nightly", "--now", "2026-06-02T10:00:00Z"]).status == 0)
        _ = try await simulator.control(
            "POST", "tenants/\(SimulatorProcess.tenantGuid)/mutate", ["changed": 3, "deleted": 1])
        #expect(try cli.run(["run", "contoso/nightly", "--now", "2026-06-02T11:00:00Z"]).status == 0)
        let payloads = try cli.scalar("SELECT count(*) FROM backup_payloads")
        let onlyInTheFirst = try cli.scalar(
            """
            SELECT count(DISTINCT v.payload_id) FROM backup_items i JOIN backup_item_versions v ON v.id = i.version_id
            WHERE i.backup_set_id = 1 AND v.payload_id NOT IN (
                SELECT v2.payload_id FROM backup_items i2 JOIN backup_item_versions v2 ON v2.id = i2.version_id
                WHERE i2.backup_set_id = 2)
            """)
        #expect(onlyInTheFirst > 0, "the change made payloads of the first set alone")

        #expect(try cli.run(["schedules", "update", "contoso/nightly", "--keep-last", "1"]).status == 0)
        let applied = try cli.run(["retention", "apply", "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let schedule = try #require((try applied.json()["schedules"] as? [[String: Any]])?.first)
        #expect(schedule["sets_deleted"] as? Int == 1)
        #expect(schedule["payloads_removed"] as? Int == onlyInTheFirst)
        #expect((schedule["bytes_freed"] as? Int ?? 0) > 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_payloads") == payloads - onlyInTheFirst)
        #expect(try cli.scalar("SELECT count(*) FROM backup_sets") == 1)
        // The run that made the deleted set stays in the history without it, cleared by the
        // deletion itself: no foreign key to backup_sets has an action (v9_explicit_set_deletion).
        #expect(try cli.scalar("SELECT count(*) FROM backup_schedule_runs") == 2)
        #expect(try cli.scalar("SELECT count(*) FROM backup_schedule_runs WHERE backup_set_id IS NULL") == 1)
        let actions = try cli.scalar(
            """
            SELECT count(*) FROM pg_constraint
            WHERE contype = 'f' AND confrelid = 'backup_sets'::regclass AND confdeltype <> 'a'
            """)
        #expect(actions == 0)
        let vacuumed = try cli.scalar(
            """
            SELECT count(*) FROM pg_stat_user_tables
            WHERE relname IN ('backup_items', 'backup_item_versions', 'backup_payloads', 'backup_sets')
            AND last_vacuum IS NOT NULL
            """)
        #expect(vacuumed == 4)
    }

    /// Hosts registering at once take their turn (`StoreTransaction.lockRegistrations`): of four
    /// `tenants add` of one name, one succeeds and three are refused as duplicates (exit 2), not
    /// failed by the unique index (exit 1); of four adds of one app registration under four
    /// names, which no index guards, one succeeds instead of all four.
    @Test(.enabled(if: server != nil))
    func concurrentRegistrationsOfOneNameOrOneAppRegistrationAreRefusedAsDuplicates() throws {
        let cli = try CLI(.postgreSQL)
        try cli.createStore(tenant: "first")
        func add(name: String, clientId: String) throws -> Process {
            try EngineProcessTests.start(
                cli,
                [
                    "tenants", "add", "--name", name, "--tenant-id", "99999999-2222-3333-4444-555555555555",
                    "--client-id", clientId, "--client-secret-env", "SECRET",
                ])
        }
        let sameName = try (1...4).map { try add(name: "dup", clientId: "app-\($0)") }
        for process in sameName { process.waitUntilExitWithoutSpinning() }
        #expect(sameName.map(\.terminationStatus).sorted() == [0, 2, 2, 2])
        let sameApplication = try (1...4).map { try add(name: "shared-\($0)", clientId: "shared-app") }
        for process in sameApplication { process.waitUntilExitWithoutSpinning() }
        #expect(sameApplication.map(\.terminationStatus).sorted() == [0, 2, 2, 2])
        #expect(try cli.scalar("SELECT count(*) FROM tenants") == 3)
    }

    @Test(.enabled(if: server != nil))
    func aDatabaseWithoutTablesIsNoStoreForCommandsThatDoNotCreateOne() throws {
        let cli = try CLI(.postgreSQL)
        let drift = try cli.run(["drift", "contoso", "--json"])
        #expect(drift.status == 1, "\(drift.stderr)")
        #expect(try drift.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "STORE_NOT_FOUND")
        let doctor = try cli.run(["doctor"])
        #expect(doctor.stdout.contains("FAIL store: STORE_NOT_FOUND: no store in the database"), "\(doctor.stdout)")
        let listed = try cli.run(["tenants", "list", "--json"])
        #expect(listed.status == 1)
        #expect(try listed.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "STORE_NOT_FOUND")
        #expect(try cli.scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'") == 0)
        // The creating command makes it, with the same migrations as SQLite.
        #expect(try cli.createStore().status == 0)
        #expect(try cli.scalar("SELECT count(*) FROM schema_migrations") >= 6)
        let ready = try cli.run(["doctor", "--json"])
        let checks = try #require(try ready.json()["checks"] as? [[String: Any]])
        let store = checks.first { $0["name"] as? String == "store migrations" }
        #expect(store?["status"] as? String == "ok", "\(checks)")
        #expect(checks.first { $0["name"] as? String == "locks" }?["status"] as? String == "ok")
    }

    @Test(.enabled(if: server != nil))
    func runsClaimedOnOneHostAndWaitingTheirTurnAreNotAbandonedByAnother() throws {
        let simulator = try SimulatorProcess(policiesPerType: 3, pageSize: 1, latencyMilliseconds: 120)
        let cli = try EngineProcessTests.cli(with: simulator, backend: .postgreSQL)
        for name in ["a", "b", "c"] { try EngineProcessTests.addSchedule(cli, name: name) }
        // Host A claims all three and runs them one at a time: two wait `pending`.
        let hostA = try EngineProcessTests.start(
            cli, ["dispatch", "--now", "2026-06-02T00:00:20Z", "--concurrency", "1"], host: "host-a")
        let waiting = try EngineProcessTests.waitUntil(
            cli, "SELECT count(*) FROM backup_schedule_runs WHERE status = 'running'")
        #expect(waiting)
        #expect(try cli.scalar("SELECT count(*) FROM backup_schedule_runs WHERE status = 'pending'") == 2)
        // Host B's dispatch finds them unfinished, and their owner's lock held: nothing abandoned.
        let hostB = try cli.run(
            ["dispatch", "--now", "2026-06-02T00:01:00Z", "--json"], environment: ["TENANTPILOT_HOST": "host-b"])
        #expect(hostB.status == 0, "\(hostB.stderr)")
        #expect(try hostB.json()["abandoned"] as? [Int] == [])
        hostA.waitUntilExitWithoutSpinning()
        #expect(hostA.terminationStatus == 0)
        let runs = try #require(try cli.run(["runs", "list", "--json"]).json()["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(
            runs.allSatisfy { $0["status"] as? String == "success" && $0["host"] as? String == "host-a" }, "\(runs)")
    }

    /// A loopback port nothing listens on.
    static func closedPort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
