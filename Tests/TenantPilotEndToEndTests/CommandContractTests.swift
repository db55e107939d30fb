import Foundation
import Testing

/// The command-line additions of issue 12, through the real binary: a mistyped audit action is
/// bad input, notifications are marked read, runs are listed by tenant and since an instant,
/// backup sets with a limit, a refused zone abbreviation is answered with canonical zones, a
/// negative count is named, a taken slot says when a new run can start, and the actor falls
/// back to the process's user name.
@Suite struct CommandContractTests {
    /// A store with tenant contoso (its secret variable unset, so runs fail at once without
    /// Graph) and schedule contoso/nightly.
    static func storeWithSchedule(tenant: String = "contoso") throws -> CLI {
        let cli = CLI()
        try cli.createStore(tenant: tenant)
        let added = try cli.run([
            "schedules", "add", "--tenant", tenant, "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", "deviceConfiguration", "--now", "2026-03-01T00:00:00Z",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        return cli
    }

    // MARK: - audit list --action

    @Test func aMistypedAuditActionIsBadInputWithTheNearestAction() throws {
        let cli = try Self.storeWithSchedule()
        let typo = try cli.run(["audit", "list", "--action", "tenant.creatd"])
        #expect(typo.status == 2)
        #expect(typo.stdout.isEmpty)
        #expect(typo.stderr.contains("unknown action \"tenant.creatd\""), "\(typo.stderr)")
        #expect(typo.stderr.contains("did you mean \"tenant.created\"?"), "\(typo.stderr)")
        let family = try cli.run(["audit", "list", "--action", "nosuch.*", "--json"])
        #expect(family.status == 2)
        #expect((try family.json()["error"] as? [String: Any])?["code"] as? String == "INVALID_INPUT")

        let exact = try cli.run(["audit", "list", "--action", "tenant.created", "--json"])
        #expect(exact.status == 0, "\(exact.stderr)")
        let entries = try #require(try exact.json()["entries"] as? [[String: Any]])
        #expect(entries.map { $0["action"] as? String } == ["tenant.created"])
        // A family this binary writes is not a typo even when the store holds none of it yet.
        let none = try cli.run(["audit", "list", "--action", "hook.*"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout.contains("no audit entries"))
    }

    // MARK: - notifications read

    @Test func notificationsAreMarkedReadByIdOrAll() throws {
        let cli = try Self.storeWithSchedule()
        for minute in ["10:00", "10:01"] {
            let run = try cli.run(["run", "contoso/nightly", "--now", "2026-03-01T\(minute):30Z"])
            #expect(run.status == 1, "the secret is not set: \(run.stderr)")
        }
        func unread() throws -> [Int] {
            let list = try cli.run(["notifications", "list", "--unread", "--json"])
            return try #require(try list.json()["notifications"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
        }
        #expect(try unread().sorted() == [1, 2])

        let unknown = try cli.run(["notifications", "read", "1", "99"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no notification with id 99"), "\(unknown.stderr)")
        #expect(try unread().sorted() == [1, 2], "nothing is marked when one id is unknown")

        let one = try cli.run(["notifications", "read", "1", "--json"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(try one.json()["marked_read"] as? Int == 1)
        #expect(try unread() == [2])
        let list = try cli.run(["notifications", "list", "--json"])
        let first = try #require(try list.json()["notifications"] as? [[String: Any]]).first { $0["id"] as? Int == 1 }
        #expect(first?["read"] as? Bool == true)

        let all = try cli.run(["notifications", "read", "--all"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("1 notification marked read"), "\(all.stdout)")
        #expect(try unread().isEmpty)
        #expect(try cli.run(["notifications", "read", "--all"]).stdout.contains("0 notifications marked read"))
    }

    @Test(arguments: [["notifications", "read"], ["notifications", "read", "1", "--all"]])
    func notificationsReadNeedsIdsOrAllButNotBoth(_ arguments: [String]) throws {
        let cli = try Self.storeWithSchedule()
        let before = try cli.databaseContent()
        let result = try cli.run(arguments)
        #expect(result.status == 2)
        #expect(try cli.databaseContent() == before)
    }

    // MARK: - runs list --tenant/--since, backups list --limit

    @Test func runsAreListedByTenantAndSinceAnInstant() throws {
        let cli = try Self.storeWithSchedule()
        let fabrikam = try cli.run([
            "tenants", "add", "--name", "fabrikam", "--tenant-id", "22222222-3333-4444-5555-666666666666",
            "--client-id", "app", "--client-secret-env", "SECRET",
        ])
        #expect(fabrikam.status == 0, "\(fabrikam.stderr)")
        let schedule = try cli.run([
            "schedules", "add", "--tenant", "fabrikam", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", "deviceConfiguration",
        ])
        #expect(schedule.status == 0, "\(schedule.stderr)")
        #expect(try cli.run(["run", "contoso/nightly", "--now", "2026-03-01T10:00:00Z"]).status == 1)
        #expect(try cli.run(["run", "fabrikam/nightly", "--now", "2026-03-02T10:00:00Z"]).status == 1)

        func tenants(_ arguments: [String]) throws -> [String] {
            let result = try cli.run(["runs", "list", "--json"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(try result.json()["runs"] as? [[String: Any]]).compactMap { $0["tenant"] as? String }
        }
        #expect(try tenants([]) == ["fabrikam", "contoso"])
        #expect(try tenants(["--tenant", "contoso"]) == ["contoso"])
        #expect(try tenants(["--since", "2026-03-02T00:00:00Z"]) == ["fabrikam"])
        #expect(try tenants(["--since", "2026-03-02T10:00:00Z"]) == ["fabrikam"], "at or after the instant")
        #expect(try tenants(["--since", "2026-03-02T10:01:00Z"]).isEmpty)
        #expect(try tenants(["--tenant", "contoso", "--since", "2026-03-02T00:00:00Z"]).isEmpty)

        let typo = try cli.run(["runs", "list", "--tenant", "contso"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("did you mean \"contoso\"?"), "\(typo.stderr)")
        #expect(try cli.run(["runs", "list", "--since", "yesterday"]).status == 2)
    }

    @Test func backupSetsAreListedWithALimit() throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: "deviceConfiguration")
        for minute in ["10:00", "10:01", "10:02"] {
            let run = try cli.run(["run", "contoso/nightly", "--now", "2026-06-01T\(minute):00Z"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        func ids(_ arguments: [String]) throws -> [Int] {
            let result = try cli.run(["backups", "list", "--json"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(try result.json()["backup_sets"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
        }
        #expect(try ids([]) == [3, 2, 1])
        #expect(try ids(["--limit", "2"]) == [3, 2], "the newest first")
        let zero = try cli.run(["backups", "list", "--limit", "0"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--limit 0"), "\(zero.stderr)")
    }

    // MARK: - Messages for bad input

    @Test(arguments: [("CET", "Europe/Berlin"), ("EST", "America/New_York"), ("PST", "America/Los_Angeles")])
    func aZoneAbbreviationIsAnsweredWithCanonicalZonesOfTheSameRules(_ abbreviation: String, _ zone: String) throws {
        let cli = try Self.storeWithSchedule()
        let before = try cli.databaseContent()
        let result = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "other", "--timezone", abbreviation, "--at", "02:00",
            "--types", "deviceConfiguration",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("zones that follow the same rules"), "\(result.stderr)")
        #expect(result.stderr.contains(zone), "\(result.stderr)")
        #expect(!result.stderr.contains("GMT"), "\(result.stderr)")
        #expect(try cli.databaseContent() == before)
    }

    @Test(arguments: [
        [
            "schedules", "add", "--tenant", "contoso", "--name", "x", "--timezone", "UTC", "--at", "02:00", "--types",
            "deviceConfiguration", "--keep-last", "-1",
        ],
        ["schedules", "update", "contoso/nightly", "--keep-last", "-1"],
    ])
    func aNegativeKeepLastIsNamedInTheError(_ arguments: [String]) throws {
        let cli = try Self.storeWithSchedule()
        let before = try cli.databaseContent()
        let result = try cli.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--keep-last -1"), "\(result.stderr)")
        #expect(try cli.databaseContent() == before)
    }

    @Test func aTakenSlotSaysAtWhichMinuteANewRunCanStart() throws {
        let cli = try Self.storeWithSchedule()
        #expect(try cli.run(["run", "contoso/nightly", "--now", "2026-03-01T10:00:10Z"]).status == 1)
        let again = try cli.run(["run", "contoso/nightly", "--now", "2026-03-01T10:00:50Z"])
        #expect(again.status == 4)
        #expect(again.stderr.contains("a new run can start at 2026-03-01T10:01:00Z"), "\(again.stderr)")
    }

    // MARK: - Actor

    @Test func theActorIsTheProcesssUserNameWhenNeitherVariableIsSet() throws {
        let cli = CLI()
        cli.environment["USER"] = nil
        cli.environment["SUDO_USER"] = nil
        try cli.createStore()
        let expected = try #require(getpwuid(getuid())?.pointee.pw_name.map { String(cString: $0) })
        let audit = try cli.run(["audit", "list", "--json"])
        let entries = try #require(try audit.json()["entries"] as? [[String: Any]])
        #expect(entries.first?["actor"] as? String == expected)
        #expect(expected != "system")
    }
}
