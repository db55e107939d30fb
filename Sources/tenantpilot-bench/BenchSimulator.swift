import Foundation
import GraphSimulator
import TenantPilotCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The Graph simulator a benchmark talks to: the `tenantpilot-graph-simulator` executable in a
/// process of its own when it can be found, so that the benchmark process measures only the
/// client; otherwise (a debug run without that binary) the library in this process.
final class BenchSimulator: @unchecked Sendable {
    let baseURL: URL
    /// For the report: which of the two it is.
    let whereItRuns: String
    private let process: Process?
    private let inProcess: GraphSimulator?

    private init(baseURL: URL, whereItRuns: String, process: Process?, inProcess: GraphSimulator?) {
        self.baseURL = baseURL
        self.whereItRuns = whereItRuns
        self.process = process
        self.inProcess = inProcess
    }

    /// TENANTPILOT_SIMULATOR_BIN, else the simulator built next to this executable.
    static func executable() -> URL? {
        if let path = ProcessInfo.processInfo.environment["TENANTPILOT_SIMULATOR_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("tenantpilot-graph-simulator")
        return FileManager.default.isExecutableFile(atPath: sibling.path) ? sibling : nil
    }

    static func start(
        tenant: String, counts: [String: Int], policies: Int, pageSize: Int, latencyMs: Int, secret: String,
        throttling: SimulatedThrottling? = nil
    ) async throws -> BenchSimulator {
        guard let executable = executable() else {
            let simulator = try await GraphSimulator.start(
                GraphSimulator.Configuration(
                    seed: 1, tenants: [tenant: .counts(counts)], pageSize: pageSize, latency: .milliseconds(latencyMs),
                    clientSecret: secret, throttling: throttling))
            return BenchSimulator(
                baseURL: simulator.baseURL,
                whereItRuns: "in the benchmark process (its memory and CPU are counted too)",
                process: nil, inProcess: simulator)
        }
        var arguments = [
            "--port", "0", "--seed", "1", "--tenant", tenant, "--policies", String(policies), "--page-size",
            String(pageSize),
            "--latency-ms", String(latencyMs), "--client-secret", secret,
        ]
        if let throttling {
            let window = throttling.window.components
            arguments += [
                "--throttle", "--throttle-requests", String(throttling.requests),
                "--throttle-window-ms", String(window.seconds * 1000 + window.attoseconds / 1_000_000_000_000_000),
            ]
        }
        let (process, url) = try SimulatorExecutable.launch(
            executable, arguments: arguments, standardError: FileHandle.standardError)
        return BenchSimulator(baseURL: url, whereItRuns: "a separate process", process: process, inProcess: nil)
    }

    /// The simulator executable with these arguments (`--port 0` and its tenants); benchmarks
    /// that need its command-line options (several tenants, a write limit) have no in-process
    /// fallback.
    static func launch(arguments: [String]) throws -> BenchSimulator {
        guard let executable = executable() else {
            throw GraphSimulatorError(
                "tenantpilot-graph-simulator not found: set TENANTPILOT_SIMULATOR_BIN or run scripts/bench")
        }
        let (process, url) = try SimulatorExecutable.launch(
            executable, arguments: arguments, standardError: FileHandle.standardError)
        return BenchSimulator(baseURL: url, whereItRuns: "a separate process", process: process, inProcess: nil)
    }

    /// The simulator's request counts (`GET /_simulator/stats`): requests it answered 429, and
    /// Graph requests it was asked (each batch sub-request counted).
    func stats() async -> (throttled: Int, graph: Int) {
        if let inProcess {
            let counts = inProcess.requestCounts
            return (counts.throttled, counts.graph)
        }
        guard
            let (data, _) = try? await URLSession.shared.data(from: baseURL.appendingPathComponent("_simulator/stats")),
            let body = try? JSONValue.parse(data)
        else { return (-1, -1) }
        func number(_ key: String) -> Int {
            if case .int(let value)? = body[key] { return Int(value) }
            return -1
        }
        return (number("throttled"), number("graph"))
    }

    /// Stops the in-process simulator (the separate one stops in `stop()`).
    func stopInProcess() async {
        await inProcess?.stop()
    }

    /// Stops the separate simulator: SIGTERM, then SIGKILL if it is still there after two
    /// seconds. Polls rather than `waitUntilExit()`, which on Linux spins a CPU while it waits.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        for _ in 0..<200 where process.isRunning {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
