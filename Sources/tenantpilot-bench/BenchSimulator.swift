import Foundation
import GraphSimulator

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
        tenant: String, counts: [String: Int], policies: Int, pageSize: Int, latencyMs: Int, secret: String
    ) async throws -> BenchSimulator {
        guard let executable = executable() else {
            let simulator = try await GraphSimulator.start(
                GraphSimulator.Configuration(
                    seed: 1, tenants: [tenant: .counts(counts)], pageSize: pageSize, latency: .milliseconds(latencyMs),
                    clientSecret: secret))
            return BenchSimulator(
                baseURL: simulator.baseURL,
                whereItRuns: "in the benchmark process (its memory and CPU are counted too)",
                process: nil, inProcess: simulator)
        }
        let (process, url) = try SimulatorExecutable.launch(
            executable,
            arguments: [
                "--port", "0", "--seed", "1", "--tenant", tenant, "--policies", String(policies), "--page-size",
                String(pageSize),
                "--latency-ms", String(latencyMs), "--client-secret", secret,
            ],
            standardError: FileHandle.standardError)
        return BenchSimulator(baseURL: url, whereItRuns: "a separate process", process: process, inProcess: nil)
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

    /// CPU time (user + system) of the separate simulator so far, from /proc; nil in process.
    func cpuSeconds() -> Double? {
        guard let process, process.isRunning,
            let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
