import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary against a Graph that lies (the simulator executable's hostile modes): every
/// run ends, within its deadline and in bounded memory, and nothing leaves the tenant's origins.
@Suite(.timeLimit(.minutes(5))) struct HostileServerTests {
    static func setUp(types: String = "deviceConfiguration,roleScopeTag") throws -> (SimulatorProcess, CLI) {
        let simulator = try SimulatorProcess(policiesPerType: 2)
        let cli = try EngineProcessTests.cli(with: simulator)
        try EngineProcessTests.addSchedule(cli, name: "nightly", types: types)
        return (simulator, cli)
    }

    static func hostile(_ simulator: SimulatorProcess, target: String, _ mode: [String: Any]) async throws {
        var body = mode
        body["fault"] = "hostile"
        body["target"] = target
        let reply = try await simulator.control("POST", "faults", body)
        #expect(reply["injected"] as? Bool == true, "\(reply)")
    }

    // MARK: - The run's deadline

    @Test func aRunThatOutlivesItsDeadlineEndsPartialWithRunTimeoutAndFreesItsLock() async throws {
        let (simulator, cli) = try Self.setUp()
        try await Self.hostile(
            simulator, target: "collection:roleScopeTag", ["mode": "slowDrip", "intervalMs": 1000, "bytes": 1])
        let started = Date()
        let result = try cli.run([
            "run", "contoso/nightly", "--run-timeout", "3s", "--json", "--now", "2026-06-02T10:00:00Z",
        ])
        #expect(Date().timeIntervalSince(started) < 60, "the run ended at its deadline, not at the server's pace")
        #expect(result.status == 3, "\(result.stderr)")
        let run = try result.json()
        #expect(run["status"] as? String == "partial")
        #expect(run["error_code"] as? String == "RUN_TIMEOUT")
        #expect((run["error_message"] as? String)?.contains("deadline of 3s") == true)
        #expect(
            (run["counts"] as? [String: Any])?["items"] as? Int == 2,
            "deviceConfiguration was captured before the deadline")
        #expect((run["counts"] as? [String: Any])?["skipped_types"] as? [String] == ["roleScopeTag"])

        // The lock went with the process: the next run is not CONCURRENT_RUN.
        try await simulator.control("DELETE", "faults")
        let next = try cli.run(["run", "contoso/nightly", "--json", "--now", "2026-06-02T10:01:00Z"])
        #expect(next.status == 0, "\(next.stdout)")
    }

    @Test func aRunWithNothingCapturedByItsDeadlineFailsWithRunTimeout() async throws {
        let (simulator, cli) = try Self.setUp()
        try await Self.hostile(simulator, target: "any", ["mode": "slowDrip", "intervalMs": 1000, "bytes": 1])
        let result = try cli.run(["run", "contoso/nightly", "--run-timeout", "2s", "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        let run = try result.json()
        #expect(run["status"] as? String == "failed")
        #expect(run["error_code"] as? String == "RUN_TIMEOUT")
        #expect(run["backup_set_id"] is NSNull)
        let sets = try cli.run(["backups", "list", "--json"]).json()
        #expect((sets["backup_sets"] as? [Any])?.isEmpty == true)
    }

    @Test func dispatchStopsEachRunAtItsDeadline() async throws {
        let (simulator, cli) = try Self.setUp()
        try await Self.hostile(simulator, target: "any", ["mode": "slowDrip", "intervalMs": 1000, "bytes": 1])
        // 02:00 Berlin on 2 June is 00:00 UTC: due at 00:01.
        let result = try cli.run(["dispatch", "--run-timeout", "2s", "--json", "--now", "2026-06-02T00:01:00Z"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let runs = try #require(try result.json()["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        #expect(runs.first?["error_code"] as? String == "RUN_TIMEOUT")
    }

    @Test(arguments: ["0s", "-1s", "soon", "9999999999h", ""])
    func aBadRunTimeoutIsBadInput(_ value: String) throws {
        let cli = CLI()
        let result = try cli.run(["run", "contoso/nightly", "--run-timeout", value])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--run-timeout"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing written")
    }

    // MARK: - Redirects

    @Test func aRedirectFailsTheRunAndNothingReachesItsTarget() async throws {
        let (simulator, cli) = try Self.setUp()
        let witness = try SimulatorProcess(policiesPerType: 1)
        let target = witness.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        try await Self.hostile(
            simulator, target: "collection:deviceConfiguration",
            ["mode": "redirect", "status": 302, "location": target + "/beta/deviceManagement/deviceConfigurations"])
        let result = try cli.run(["run", "contoso/nightly", "--json"])
        let run = try result.json()
        #expect(run["error_code"] as? String == "GRAPH_BAD_RESPONSE", "\(run)")
        #expect((run["error_message"] as? String)?.contains("redirect (HTTP 302) to localhost") == true, "\(run)")
        let stats = try await witness.control("GET", "stats")
        #expect(stats["http"] as? Int == 0, "the redirect's target was never asked: \(stats)")
    }

    @Test func doctorOnlineRefusesARedirectOfTheTokenEndpoint() async throws {
        let (simulator, cli) = try Self.setUp()
        let witness = try SimulatorProcess(policiesPerType: 1)
        try await Self.hostile(
            simulator, target: "token",
            [
                "mode": "redirect", "status": 307,
                "location": witness.baseURL + "/\(SimulatorProcess.tenantGuid)/oauth2/v2.0/token",
            ])
        let doctor = try cli.run(["doctor", "--online"])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("redirect (HTTP 307) to 127.0.0.1"), "\(doctor.stdout)")
        #expect(!doctor.stdout.contains(SimulatorProcess.clientSecret))
        let stats = try await witness.control("GET", "stats")
        #expect(stats["http"] as? Int == 0, "\(stats)")
    }

    // MARK: - Size and headers

    @Test func aGigabyteBodyCostsNoMoreThanTheSizeLimit() async throws {
        let (simulator, cli) = try Self.setUp(types: "deviceConfiguration")
        try await Self.hostile(
            simulator, target: "collection:deviceConfiguration", ["mode": "hugeBody", "bytes": 1 << 30])
        let measured = try MeasuredRun(cli, ["run", "contoso/nightly", "--json"])
        #expect(measured.status == 1)
        #expect(measured.stdout.contains("GRAPH_BAD_RESPONSE"))
        #expect(measured.stdout.contains("larger than the limit of 64 MB"), "\(measured.stdout)")
        // 64 MB of body at most, plus the process itself; far from the gigabyte sent.
        #expect(measured.maxResidentKilobytes < 400_000, "max RSS \(measured.maxResidentKilobytes) kB")
    }

    @Test(arguments: ["1e30", "9223372036854775807", "-1", "garbage"])
    func anAbsurdRetryAfterNeverCrashesARun(_ value: String) async throws {
        let (simulator, cli) = try Self.setUp()
        try await Self.hostile(
            simulator, target: "collection:deviceConfiguration", ["mode": "retryAfter", "status": 429, "value": value])
        try await Self.hostile(simulator, target: "token", ["mode": "retryAfter", "status": 503, "value": value])
        // Throttled for ever: the run ends throttled once the retry budget is spent. The budget
        // is minutes of waiting, so the run is bounded by a short deadline here instead.
        let result = try cli.run(["run", "contoso/nightly", "--run-timeout", "3s", "--json"])
        #expect([1, 3].contains(result.status), "exit \(result.status): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        let run = try result.json()
        #expect(
            ["RUN_TIMEOUT", "GRAPH_THROTTLED", "GRAPH_UNAVAILABLE"].contains(run["error_code"] as? String ?? ""),
            "\(run)")
    }
}

/// One run of the binary started with `posix_spawn`, so that its standard output can be any
/// file (`/dev/full`) or a pipe nobody reads, and its peak memory is read from the kernel
/// (`wait4`'s rusage).
struct MeasuredRun {
    enum Output {
        /// A file of the test's folder, read back into `stdout`.
        case captured
        /// Any path (`/dev/full`).
        case path(String)
        /// A pipe whose reading end is already closed.
        case closedPipe
    }

    let status: Int32
    /// Killed by this signal, or 0.
    let signal: Int32
    let stdout: String
    let stderr: String
    let maxResidentKilobytes: Int

    init(
        _ cli: CLI, _ arguments: [String], stdout output: Output = .captured, environment extra: [String: String] = [:]
    ) throws {
        let out = cli.folder.appendingPathComponent("measured-\(UUID().uuidString).out").path
        let err = cli.folder.appendingPathComponent("measured-\(UUID().uuidString).err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        switch output {
        case .captured: posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        case .path(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY, 0)
        case .closedPipe:
            guard pipe(&pipeEnds) == 0 else { throw CLI.CLIError.notAnObject("pipe failed") }
            close(pipeEnds[0])
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        }
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([CLI.binary.path] + arguments).map { strdup($0) } + [nil]
        let envp = cli.environment.merging(extra) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, CLI.binary.path, &actions, nil, argv, envp)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard spawned == 0 else { throw CLI.CLIError.notAnObject("posix_spawn failed: \(spawned)") }
        var rawStatus: Int32 = 0
        var usage = rusage()
        while wait4(pid, &rawStatus, 0, &usage) < 0 && errno == EINTR {}
        let signalled = rawStatus & 0x7F
        status = signalled == 0 ? (rawStatus >> 8) & 0xFF : 128 + signalled
        signal = signalled
        maxResidentKilobytes = usage.ru_maxrss
        stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    }
}
