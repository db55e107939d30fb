import ArgumentParser
import Foundation
import GraphSimulator
import TenantPilotCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `restore`: a set restored into an empty simulated tenant that enforces Graph's write limit
/// (100 writes per 20 s per tenant), against the floor its write count imposes; and the plan of
/// a large set against an unchanged tenant at Graph-like latency. Prints a Markdown section.
struct RestoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract:
            "Restore 200 policies into an empty tenant under the write limit; plan 1,000 against an unchanged tenant.")

    @Option(help: "Policies of the set restored into an empty tenant.") var policies: Int = 200
    @Option(help: "Policies of the set planned against an unchanged tenant.") var planPolicies: Int = 1_000
    @Option(help: "Simulated latency of every request, in milliseconds.") var latencyMs: Int = 20
    @Option(help: "Writes per window per tenant (Graph: 100 per 20 s).") var writeLimit: Int = 100
    @Option(help: "The write limit's window, in seconds.") var writeWindowSeconds: Int = 20

    static let source = "4d1c7a2e-6b3f-4e80-9a15-2c3d4e5f6a7b"
    static let target = "8e2d4c6a-1b3f-4a5c-8d7e-9f0a1b2c3d4e"
    static let secret = "bench-secret"

    mutating func run() async throws {
        let restore = try await restoreIntoEmptyTenant()
        let plan = try await planAgainstUnchangedTenant()
        let window = Double(writeWindowSeconds)
        // The first window's writes go at once; each further `writeLimit` writes wait a window.
        let accepted = restore.writes - restore.throttledWrites
        let floor = accepted > writeLimit ? Double((accepted - 1) / writeLimit) * window : 0
        print(
            """
            ### restore

            **Restore into an empty tenant under the write limit.** A set of \(policies) policies over the registry's \
            types (taken by a backup of a simulated tenant) restored with `--apply` into an empty simulated tenant whose \
            groups have other ids, \(latencyMs) ms latency per request, the simulator enforcing \(writeLimit) writes per \
            \(writeWindowSeconds) s per tenant (and 1,000 requests) and answering 429 with `Retry-After` beyond; the client \
            paced under the same limits, as it is under Graph's. The floor is what the write count alone imposes: the \
            first \(writeLimit) writes at once, each further \(writeLimit) one window later.

            | measure | value |
            |---|---|
            | actions | \(restore.created) created, \(restore.failed) failed, \(restore.skipped) skipped |
            | writes sent (retries included) | \(restore.writes) |
            | requests refused with 429 (of them writes) | \(restore.throttled) (\(restore.throttledWrites)) |
            | wall time of `--apply` | \(String(format: "%.1f", restore.wall)) s |
            | floor of \(accepted) accepted writes at \(writeLimit) per \(writeWindowSeconds) s | \(String(format: "%.1f", floor)) s |
            | wall time ÷ floor | \(floor > 0 ? String(format: "%.2f", restore.wall / floor) : "-") |

            **Plan of a large set against an unchanged tenant.** A set of \(planPolicies) policies planned against the \
            tenant it came from, unchanged, at \(latencyMs) ms per request (the target read whole, as a backup reads it, \
            then every policy matched and compared), with the fresh request budget of a `restore` process of its own \
            (the backup made just before spent this process's). Target: under 2 s.

            | measure | value |
            |---|---|
            | actions | \(plan.unchanged) unchanged, \(plan.skipped) skipped, \(plan.writing) would write |
            | HTTP requests of the plan | \(plan.requests) |
            | time waiting for the request budget | \(String(format: "%.2f", plan.waited)) s |
            | wall time of the plan | \(String(format: "%.2f", plan.wall)) s |

            """)
        if restore.failed > 0 || plan.writing > 0 { throw ExitCode.failure }
    }

    // MARK: - Restore

    struct RestoreFigures {
        var created = 0, failed = 0, skipped = 0, writes = 0, throttled = 0, throttledWrites = 0
        var wall = 0.0
    }

    func restoreIntoEmptyTenant() async throws -> RestoreFigures {
        let server = try BenchSimulator.launch(arguments: [
            "--port", "0", "--seed", "1", "--tenant", Self.source, "--empty-tenant", Self.target, "--policies",
            String(policies),
            "--latency-ms", String(latencyMs), "--client-secret", Self.secret, "--throttle", "--throttle-writes",
            String(writeLimit),
            "--throttle-window-ms", String(writeWindowSeconds * 1000),
        ])
        defer { server.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tenantpilot-bench-restore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, registry, dependencies, tenants) = try await Self.store(
            in: folder, server: server, tenants: [Self.source, Self.target])
        let setId = try await Self.backup(tenants[0], store: store, registry: registry, dependencies: dependencies)

        let service = RestoreService(store: store, registry: registry, dependencies: dependencies)
        let scope = try await service.scope(RestoreRequest(setId: setId, to: tenants[1].name))
        let clock = ContinuousClock()
        let started = clock.now
        let (plan, outcome) = try await service.apply(scope, actor: "bench")
        let elapsed = clock.now - started
        let stats = try await Self.stats(server)
        var figures = RestoreFigures()
        figures.created = outcome.counts.created
        figures.failed = outcome.counts.failed
        figures.skipped = plan?.count(.skip) ?? 0
        figures.writes = stats["writes"] ?? 0
        figures.throttled = stats["throttled"] ?? 0
        figures.throttledWrites = stats["throttled_writes"] ?? 0
        figures.wall = Self.seconds(elapsed)
        return figures
    }

    // MARK: - Plan

    struct PlanFigures {
        var unchanged = 0, skipped = 0, writing = 0, requests = 0
        var waited = 0.0
        var wall = 0.0
    }

    func planAgainstUnchangedTenant() async throws -> PlanFigures {
        let server = try BenchSimulator.launch(arguments: [
            "--port", "0", "--seed", "1", "--tenant", Self.source, "--policies", String(planPolicies), "--latency-ms",
            String(latencyMs), "--client-secret", Self.secret,
        ])
        defer { server.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tenantpilot-bench-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, registry, dependencies, tenants) = try await Self.store(
            in: folder, server: server, tenants: [Self.source])
        let setId = try await Self.backup(tenants[0], store: store, registry: registry, dependencies: dependencies)

        let counter = RequestTally()
        // A fresh request budget, as a `restore` process of its own has: the backup just made
        // spent this process's, and the plan must not wait for that window to pass.
        let pacer = GraphPacer()
        let service = RestoreService(store: store, registry: registry, clock: dependencies.clock) {
            (tenant: Tenant) throws(TenantPilotError) -> any GraphWriting in
            let client = URLSessionGraphClient(
                connection: try GraphConnection(tenant: tenant), dependencies: dependencies, pacer: pacer)
            counter.add(client)
            return client
        }
        let scope = try await service.scope(RestoreRequest(setId: setId))
        let clock = ContinuousClock()
        let started = clock.now
        let plan = try await service.plan(scope)
        let elapsed = clock.now - started
        var figures = PlanFigures()
        figures.unchanged = plan.count(.unchanged)
        figures.skipped = plan.count(.skip)
        figures.writing = plan.actions.filter(\.writes).count
        figures.requests = counter.total
        figures.waited = Self.seconds(await pacer.totalWait)
        figures.wall = Self.seconds(elapsed)
        return figures
    }

    // MARK: - Helpers

    /// The clients a service made, to count their requests.
    final class RequestTally: @unchecked Sendable {
        private let lock = NSLock()
        private var clients: [URLSessionGraphClient] = []
        func add(_ client: URLSessionGraphClient) { lock.withLock { clients.append(client) } }
        var total: Int { lock.withLock { clients.map(\.requestCount).reduce(0, +) } }
    }

    static func store(
        in folder: URL, server: BenchSimulator, tenants guids: [String]
    ) async throws -> (Store, PolicyTypeRegistry, Dependencies, [Tenant]) {
        let store = try await Store.open(path: folder.appendingPathComponent("tenantpilot.sqlite").path)
        let registry = try PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment)
        let dependencies = Dependencies(environment: ["BENCH_SECRET": secret])
        let url = server.baseURL.absoluteString
        var tenants: [Tenant] = []
        for (index, guid) in guids.enumerated() {
            let request = try NewTenant(
                name: "bench\(index)", tenantId: guid, clientId: "bench", secretEnv: "BENCH_SECRET", secretFile: nil,
                graphURL: url,
                authorityURL: url)
            tenants.append(try await TenantService(store: store).add(request, actor: "bench", at: Date()))
        }
        return (store, registry, dependencies, tenants)
    }

    static func backup(_ tenant: Tenant, store: Store, registry: PolicyTypeRegistry, dependencies: Dependencies)
        async throws -> Int64
    {
        let outcome = await BackupService(store: store, dependencies: dependencies).backup(
            tenant: tenant, types: registry.types, scheduleId: nil, runId: nil, actor: "bench", at: Date(),
            progress: nil)
        guard let setId = outcome.backupSetId, outcome.failedItems == 0, outcome.failedTypes.isEmpty else {
            throw GraphSimulatorError(
                "the benchmark's backup failed: \(outcome.fatal?.message ?? "\(outcome.failedTypes)")")
        }
        return setId
    }

    static func stats(_ server: BenchSimulator) async throws -> [String: Int] {
        let (data, _) = try await URLSession.shared.data(
            from: server.baseURL.appendingPathComponent("_simulator/stats"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return object.compactMapValues { $0 as? Int }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
