import ArgumentParser
import Foundation
import GraphSimulator
import TenantPilotCore

/// `graph-capture`: lists and captures a large simulated tenant through the real client over
/// HTTP, and compares the wall time with the round-trip floor that latency and the concurrency
/// bound impose. Prints a Markdown section for docs/performance.md.
struct GraphCaptureBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph-capture",
        abstract: "Capture a simulated tenant (5,000 policies, 20 ms per request) and report time, requests and memory."
    )

    @Option(help: "Policies in the tenant, spread over the registry's types.")
    var policies: Int = 5_000

    @Option(help: "Simulated latency of every request, in milliseconds.")
    var latencyMs: Int = 20

    @Option(help: "Concurrent requests of the client.")
    var concurrency: Int = 4

    @Option(help: "Policy types captured at a time (default: BackupService's).")
    var typeConcurrency: Int?

    @Option(help: "Elements per collection page.")
    var pageSize: Int = 100

    mutating func run() async throws {
        let tenant = "0b5e1f3c-7a2d-4c88-9e61-2f4a6b8c0d1e"
        let registry = try PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment)
        var counts: [String: Int] = [:]
        for (index, type) in registry.types.enumerated() {
            counts[type.key] = policies / registry.types.count + (index < policies % registry.types.count ? 1 : 0)
        }
        let secret = "bench-secret"
        // The simulator runs as its own process when its binary is at hand (scripts/bench sets
        // TENANTPILOT_SIMULATOR_BIN; a release build has it next to this one), so that its
        // generated tenant and its CPU do not count against the client's memory and time.
        let server = try await BenchSimulator.start(
            tenant: tenant, counts: counts, policies: policies, pageSize: pageSize, latencyMs: latencyMs, secret: secret
        )
        defer { server.stop() }
        let client = URLSessionGraphClient(
            connection: GraphConnection(
                tenantGUID: tenant, clientID: "bench", secret: .environment("BENCH_SECRET"), graphURL: server.baseURL,
                authorityURL: server.baseURL),
            dependencies: Dependencies(environment: ["BENCH_SECRET": secret]),
            options: GraphClientOptions(concurrency: concurrency))

        let clock = ContinuousClock()
        let started = clock.now
        let typesAtOnce = typeConcurrency ?? BackupService.defaultTypeConcurrency
        let results = try await withThrowingTaskGroup(of: (captured: Int, failed: Int).self) { group in
            // As BackupService does: a few types at a time, the next starting as one finishes.
            var pending = registry.types[...]
            func startNext() {
                guard let type = pending.popFirst() else { return }
                group.addTask {
                    let listed = try await client.listPolicies(of: type)
                    let payloads = await client.capturePolicies(of: type, listed: listed)
                    let failed = payloads.values.filter { if case .failure = $0 { true } else { false } }.count
                    return (payloads.count - failed, failed)
                }
            }
            for _ in 0..<max(1, typesAtOnce) { startNext() }
            var total = (captured: 0, failed: 0)
            for try await part in group {
                total.captured += part.captured
                total.failed += part.failed
                startNext()
            }
            return total
        }
        let elapsed = clock.now - started
        let cpu = Self.cpuSeconds()
        let simulatorCPU = server.cpuSeconds().map { String(format: "%.2f s", $0) } ?? "counted with the client"
        await server.stopInProcess()

        let requests = client.requestCounts
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let floor = Double(requests.total) / Double(concurrency) * Double(latencyMs) / 1000
        let carried = requests.get + requests.batchedRequests
        print(
            """
            ### graph-capture

            A simulated tenant of \(policies) policies over \(registry.types.count) types, \(latencyMs) ms latency per \
            request, page size \(pageSize), client concurrency \(concurrency), \(typesAtOnce) types at a time as \
            BackupService captures them; every policy listed and captured whole \
            (sub-resources, children, GET by id) through the real client over HTTP on loopback. Memory and CPU are the benchmark process's own: \
            with the simulator in a separate process, that is the client alone.

            | measure | value |
            |---|---|
            | wall time | \(String(format: "%.2f", wall)) s |
            | policies captured | \(results.captured) (\(results.failed) failed) |
            | HTTP requests | \(requests.total) (token \(requests.token), $batch \(requests.batch), GET \(requests.get)) |
            | Graph requests carried (GET + inside batches) | \(carried) |
            | round-trip floor (requests ÷ concurrency × latency) | \(String(format: "%.2f", floor)) s |
            | wall time ÷ floor | \(String(format: "%.2f", floor > 0 ? wall / floor : 0)) |
            | peak resident memory of the client (VmHWM) | \(Self.peakResidentMemory()) |
            | CPU time of the client (user + system) | \(String(format: "%.2f", cpu)) s |
            | simulator | \(server.whereItRuns), CPU time \(simulatorCPU) |

            """)
        if results.failed > 0 || results.captured != policies {
            throw ExitCode.failure
        }
    }

    /// User plus system CPU time of this process so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// VmHWM from /proc/self/status (Linux), e.g. `84.2 MB`.
    static func peakResidentMemory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").compactMap({ Double($0) }).first
        else { return "unknown" }
        return String(format: "%.1f MB", kilobytes / 1024)
    }
}
