import ArgumentParser
import Foundation
import GraphSimulator
import TenantPilotCore

/// `graph-capture`: lists and captures simulated tenants through the real client over HTTP, as
/// `BackupService` does (a few types at a time), unthrottled and with the simulator enforcing
/// Graph's Intune limit, and compares each wall time with its floor. Prints a Markdown section
/// for docs/performance.md.
struct GraphCaptureBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph-capture",
        abstract:
            "Capture simulated tenants (1,000 and 5,000 policies, 20 ms per request), unthrottled and under Graph's limit."
    )

    @Option(help: "Simulated latency of every request, in milliseconds.")
    var latencyMs: Int = 20

    @Option(help: "Concurrent requests of the client.")
    var concurrency: Int = 4

    @Option(help: "Policy types captured at a time (default: BackupService's).")
    var typeConcurrency: Int?

    @Option(help: "The largest page of a collection or expansion.")
    var pageSize: Int = 100

    @Option(help: "Only the scenarios named (small-per-policy, small, small-throttled, large-throttled).")
    var scenario: [String] = []

    struct Scenario {
        let name: String
        let policies: Int
        let throttled: Bool
        let target: String
        /// Listings expand what the registry allows (off: the baseline that reads every
        /// sub-resource per policy).
        var listExpansions = true
    }

    struct Outcome {
        let scenario: Scenario
        let wall: Double
        let captured: Int
        let failed: Int
        let requests: GraphRequestCounts
        let simulatorThrottled: Int
        let simulatorGraph: Int
        let floor: Double
        let waited: Double
        let peakMemory: String
        let met: Bool
    }

    static let limits = GraphRequestLimits.graph

    mutating func run() async throws {
        let all = [
            Scenario(
                name: "small-per-policy", policies: 1_000, throttled: false, target: "baseline: no list expansions",
                listExpansions: false),
            Scenario(name: "small", policies: 1_000, throttled: false, target: "under 1 s"),
            Scenario(name: "small-throttled", policies: 1_000, throttled: true, target: "under 4 s, no 429"),
            Scenario(
                name: "large-throttled", policies: 5_000, throttled: true,
                target: "within 1.15× of its floor, no 429, under 100 MB"),
        ]
        let chosen = scenario.isEmpty ? all : all.filter { scenario.contains($0.name) }
        var outcomes: [Outcome] = []
        for scenario in chosen {
            outcomes.append(try await measure(scenario))
        }
        print(report(outcomes))
        if outcomes.contains(where: { $0.failed > 0 || $0.captured != $0.scenario.policies }) {
            throw ExitCode.failure
        }
    }

    private func measure(_ scenario: Scenario) async throws -> Outcome {
        let tenant = "0b5e1f3c-7a2d-4c88-9e61-2f4a6b8c0d1e"
        let registry = try PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment)
        var counts: [String: Int] = [:]
        for (index, type) in registry.types.enumerated() {
            counts[type.key] =
                scenario.policies / registry.types.count + (index < scenario.policies % registry.types.count ? 1 : 0)
        }
        let secret = "bench-secret"
        // The simulator runs as its own process when its binary is at hand (scripts/bench sets
        // TENANTPILOT_SIMULATOR_BIN; a release build has it next to this one), so that its
        // generated tenant and its CPU do not count against the client's memory and time.
        let server = try await BenchSimulator.start(
            tenant: tenant, counts: counts, policies: scenario.policies, pageSize: pageSize, latencyMs: latencyMs,
            secret: secret,
            throttling: scenario.throttled ? .graph : nil)
        defer { server.stop() }
        Self.resetPeakResidentMemory()
        let client = URLSessionGraphClient(
            connection: GraphConnection(
                tenantGUID: tenant, clientID: "bench", secret: .environment("BENCH_SECRET"), graphURL: server.baseURL,
                authorityURL: server.baseURL),
            dependencies: Dependencies(environment: ["BENCH_SECRET": secret]),
            options: GraphClientOptions(
                concurrency: concurrency, limits: Self.limits, listExpansions: scenario.listExpansions),
            pacer: GraphPacer(limits: Self.limits))

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
        let stats = await server.stats()
        await server.stopInProcess()

        let requests = client.requestCounts
        let wall = Self.seconds(elapsed)
        let roundTrips = Double(requests.total) / Double(concurrency) * Double(latencyMs) / 1000
        // Under the limit, the last of R units cannot go before ⌊(R − 1) ÷ L⌋ windows have passed.
        let windows = Double((max(requests.budgetUnits, 1) - 1) / Self.limits.requests)
        // The client paces under Graph's limit whether or not the simulator enforces it.
        let floor = max(windows * Self.seconds(Self.limits.window), roundTrips)
        let waited = Self.seconds(await client.pacer.totalWait)
        let memory = Self.peakResidentMemoryMB()
        let met: Bool
        switch scenario.name {
        case "small-per-policy": met = true
        case "small": met = wall < 1
        case "small-throttled": met = wall < 4 && stats.throttled == 0
        default: met = wall <= floor * 1.15 && stats.throttled == 0 && (memory ?? 0) < 100
        }
        return Outcome(
            scenario: scenario, wall: wall, captured: results.captured, failed: results.failed, requests: requests,
            simulatorThrottled: stats.throttled, simulatorGraph: stats.graph, floor: floor, waited: waited,
            peakMemory: memory.map { String(format: "%.1f MB", $0) } ?? "unknown", met: met)
    }

    private func report(_ outcomes: [Outcome]) -> String {
        let typeCount =
            (try? PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment).types.count) ?? 0
        var rows: [String] = []
        for outcome in outcomes {
            let requests = outcome.requests
            var limit = outcome.scenario.throttled ? "1,000 / 20 s" : "none"
            if !outcome.scenario.listExpansions { limit += ", no list expansions" }
            rows.append(
                "| \(outcome.scenario.policies) | \(limit) | \(String(format: "%.2f", outcome.wall)) s | "
                    + "\(outcome.captured) (\(outcome.failed) failed) | \(requests.total) (token \(requests.token), "
                    + "$batch \(requests.batch), GET \(requests.get)) | \(requests.get + requests.batchedRequests) | "
                    + "\(requests.budgetUnits) | \(outcome.simulatorThrottled) | \(String(format: "%.1f", outcome.waited)) s | "
                    + "\(String(format: "%.2f", outcome.floor)) s | \(String(format: "%.2f", outcome.floor > 0 ? outcome.wall / outcome.floor : 0)) | "
                    + "\(outcome.peakMemory) | \(outcome.scenario.target)"
                    + (outcome.scenario.listExpansions ? ": \(outcome.met ? "**met**" : "**missed**")" : "") + " |")
        }
        return """
            ### graph-capture

            Simulated tenants over the registry's \(typeCount) types, \(latencyMs) ms latency per HTTP request, \
            largest page \(pageSize), client concurrency \(concurrency), \(typeConcurrency ?? BackupService.defaultTypeConcurrency) \
            types at a time as BackupService captures them; every policy listed and captured whole (expansions, \
            sub-resources, children, GET by id) through the real client over HTTP on loopback, the simulator in a \
            separate process. With a limit, the simulator enforces Graph's Intune limit per tenant — every `$batch` \
            sub-request counted, refused requests counted too — and answers 429 past it. *Graph requests* counts \
            plain GETs and batch sub-requests; *budget* adds each batch itself, which the client counts to be safe. \
            The floor is the later of the round trips (HTTP requests ÷ concurrency × latency) and \
            ⌊(budget − 1) ÷ 1,000⌋ × 20 s: the client paces under Graph's limit whether the simulator enforces it or \
            not, and no client can send its last request before then. Memory is the \
            client's peak resident set (VmHWM, reset before each tenant). The first row is the baseline of the same \
            run: the 1,000-policy tenant with every sub-resource read per policy, as without list expansions — more \
            requests than one window allows, so it waits for the next.

            | policies | simulator's limit | wall time | captured | HTTP requests | Graph requests | budget | 429s | waited for budget | floor | wall ÷ floor | peak memory | target |
            |---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|
            \(rows.joined(separator: "\n"))

            """
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Resets VmHWM to the current resident set (Linux: `5` into `/proc/self/clear_refs`).
    static func resetPeakResidentMemory() {
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
    }

    /// VmHWM from /proc/self/status (Linux), in MB.
    static func peakResidentMemoryMB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").compactMap({ Double($0) }).first
        else { return nil }
        return kilobytes / 1024
    }
}
