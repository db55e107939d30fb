import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A `run` killed with SIGKILL at spread-out moments, the last ones close to its end, then
/// recovered by the next `dispatch`. Whatever the moment, a set is listed only under a run
/// that ended `success` or `partial` and names it, with its `backup.created`; a killed run
/// ends ABANDONED with no set. Each kill waits for the run's row first (under load a process
/// can take longer to start than the whole run took unloaded), then its delay measures from
/// there: the delay only chooses when to crash; no outcome depends on it.
@Suite(.serialized) struct RunCrashTests {
    static let types = "deviceConfiguration,roleScopeTag,assignmentFilter,settingsCatalogPolicy"

    @Test(arguments: TestBackend.available)
    func aRunKilledAtAnyMomentLeavesAListedSetOnlyUnderAFinishedRun(backend: TestBackend) throws {
        let simulator = try SimulatorProcess(policiesPerType: 40, pageSize: 5)
        // A complete run first: how long the work takes.
        let full = try Self.prepare(simulator, backend: backend)
        let completed = try Self.launch(full)
        #expect(try Self.waitForTheRun(full))
        let started = ContinuousClock.now
        completed.waitUntilExitWithoutSpinning()
        let duration = ContinuousClock.now - started
        #expect(completed.terminationStatus == 0)
        #expect(try Self.check(full) == .finished)

        var outcomes: [Outcome] = []
        // The first the moment its row exists (so one is killed however fast the others run);
        // most land in the last third of the run, where its set is completed.
        for fraction in [0.0, 0.3, 0.6, 0.75, 0.85, 0.9, 0.95, 0.98, 1.0] {
            let cli = try Self.prepare(simulator, backend: backend)
            let victim = try Self.launch(cli)
            #expect(try Self.waitForTheRun(cli), "the run at \(fraction) never got its row")
            let delay = duration * fraction
            usleep(
                UInt32(max(1, delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000)))
            kill(victim.processIdentifier, SIGKILL)
            victim.waitUntilExitWithoutSpinning()
            let recovered = try cli.run(["dispatch", "--now", "2026-06-02T10:05:00Z", "--json"])
            #expect(recovered.status == 0, "\(recovered.stderr)")
            outcomes.append(try Self.check(cli))
        }
        #expect(outcomes.contains(.abandoned), "no attempt was killed before it finished (\(duration)): \(outcomes)")
    }

    enum Outcome: Equatable { case finished, abandoned }

    /// A store with the simulated tenant and one schedule that nothing makes due.
    static func prepare(_ simulator: SimulatorProcess, backend: TestBackend) throws -> CLI {
        let cli = try CLI(backend)
        cli.environment["SIM_SECRET"] = SimulatorProcess.clientSecret
        let added = try simulator.addTenant(to: cli)
        #expect(added.status == 0, "\(added.stderr)")
        let schedule = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", types, "--now", "2026-06-02T09:00:00Z",
        ])
        #expect(schedule.status == 0, "\(schedule.stderr)")
        return cli
    }

    /// Waits until the launched run has its row (the moment its crash can be recovered from).
    static func waitForTheRun(_ cli: CLI) throws -> Bool {
        try EngineProcessTests.waitUntil(cli, "SELECT count(*) FROM backup_schedule_runs")
    }

    static func launch(_ cli: CLI) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["run", "contoso/nightly", "--now", "2026-06-02T10:00:00Z"]
        process.environment = cli.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The invariants after recovery, and which way the run went.
    static func check(_ cli: CLI) throws -> Outcome {
        if cli.backend == .sqlite {
            #expect(try cli.scalar("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1)
        }
        // Nothing is left half-done.
        #expect(try cli.scalar("SELECT count(*) FROM backup_sets WHERE status = 'building'") == 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_schedule_runs WHERE status IN ('pending', 'running')") == 0)
        // Every listed set belongs to a run that ended with it.
        let orphanedSets = try cli.scalar(
            """
            SELECT count(*) FROM backup_sets s
            WHERE s.status IN ('complete', 'partial') AND NOT EXISTS (
                SELECT 1 FROM backup_schedule_runs r
                WHERE r.id = s.run_id AND r.backup_set_id = s.id AND r.status IN ('success', 'partial'))
            """)
        #expect(orphanedSets == 0, "a listed set under a run that did not end with it")
        let sets = try cli.scalar("SELECT count(*) FROM backup_sets")
        let created = try cli.scalar("SELECT count(*) FROM audit_logs WHERE action = 'backup.created'")
        #expect(created == sets, "backup.created entries \(created), sets \(sets)")
        let run = try cli.run(["runs", "show", "1", "--json"]).json()
        let status = run["status"] as? String
        let code = run["error_code"] as? String
        let setId = run["backup_set_id"] as? Int
        switch status {
        case "success":
            #expect(setId != nil && sets == 1)
            return .finished
        default:
            #expect(status == "failed" && code == "ABANDONED", "run 1 ended \(status ?? "-") \(code ?? "-")")
            #expect(setId == nil && sets == 0)
            return .abandoned
        }
    }
}
