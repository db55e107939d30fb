import ArgumentParser
import Foundation
import GraphSimulator
import TenantPilotCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Serves simulated Graph tenants until SIGTERM or SIGINT; the demo and end-to-end tests read
/// the first stdout line (`listening on http://127.0.0.1:PORT`) to find it.
@main
struct GraphSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantpilot-graph-simulator",
        abstract: "Serve simulated Microsoft Graph tenants on loopback.",
        discussion: """
            One server is both the authority and Graph: register a tenant with
            --graph-url and --authority-url set to the printed URL. Control endpoints under
            /_simulator/ inject faults and change policies (see SimulatorControl.swift).
            """)

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
    var port: UInt16 = 0

    @Option(help: "Seed of the generated tenants.")
    var seed: UInt64 = 1

    @Option(name: .customLong("tenant"), help: "A tenant GUID to simulate (repeatable).")
    var tenants: [String] = []

    @Option(
        name: .customLong("empty-tenant"),
        help: "A tenant GUID to simulate with no policies (repeatable): a restore target.")
    var emptyTenants: [String] = []

    @Option(help: "Policies of every registry type in each tenant.")
    var policiesPerType: Int = 3

    @Option(help: "Policies in each tenant, spread evenly over the registry's types (instead of --policies-per-type).")
    var policies: Int?

    @Option(help: "Elements per collection page.")
    var pageSize: Int = 100

    @Option(help: "Latency added to every request, in milliseconds.")
    var latencyMs: Int = 0

    @Option(help: "The client secret the token endpoint accepts.")
    var clientSecret: String = "simulator-secret"

    @Option(help: "The client id the token endpoint accepts (default: any).")
    var clientId: String?

    @Option(
        help: "A PEM certificate registered on the app: client assertions signed by its key are accepted (repeatable).")
    var clientCertificate: [String] = []

    @Option(help: "Elements per page when a listing sends no $top (default: --page-size).")
    var defaultPageSize: Int?

    @Flag(help: "Answer $expand on listings with 400.")
    var refuseListExpansions = false

    @Flag(help: "Enforce Graph's request limits per tenant (1,000 requests per 20 s; conditional access 1 per second).")
    var throttle = false

    @Option(help: "With --throttle: Intune requests per window.")
    var throttleRequests: Int = 1_000

    @Option(help: "With --throttle: the window, in milliseconds.")
    var throttleWindowMs: Int = 20_000

    @Option(help: "With --throttle: Intune writes (POST, PATCH, PUT, DELETE) per window, among the requests.")
    var throttleWrites: Int = 100

    mutating func run() async throws {
        guard policiesPerType >= 0, pageSize >= 1, latencyMs >= 0 else {
            throw ValidationError("--policies-per-type and --latency-ms must be ≥ 0, --page-size ≥ 1")
        }
        var specs: [String: SimulatedTenantSpec] = [:]
        var spec = SimulatedTenantSpec.policiesPerType(policiesPerType)
        if let policies {
            guard policies >= 0 else { throw ValidationError("--policies must be ≥ 0") }
            spec = .counts(try Self.spread(policies))
        }
        for tenant in tenants { specs[tenant] = spec }
        for tenant in emptyTenants { specs[tenant] = .counts([:]) }
        guard throttleRequests >= 1, throttleWindowMs >= 1, throttleWrites >= 1, (defaultPageSize ?? 1) >= 1 else {
            throw ValidationError(
                "--throttle-requests, --throttle-window-ms, --throttle-writes and --default-page-size must be ≥ 1")
        }
        var certificates: [String] = []
        for path in clientCertificate {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                throw ValidationError("cannot read --client-certificate \(path)")
            }
            certificates.append(text)
        }
        let simulator = try await GraphSimulator.start(
            GraphSimulator.Configuration(
                seed: seed, tenants: specs, pageSize: pageSize, latency: .milliseconds(latencyMs),
                clientSecret: clientSecret,
                clientID: clientId, defaultPageSize: defaultPageSize, refuseListExpansions: refuseListExpansions,
                throttling: throttle
                    ? SimulatedThrottling(
                        requests: throttleRequests, writes: throttleWrites, window: .milliseconds(throttleWindowMs))
                    : nil,
                clientCertificates: certificates),
            port: port)
        // Unbuffered, so a parent reading the pipe sees the line at once.
        FileHandle.standardOutput.write(Data("listening on \(simulator.baseURL.absoluteString)\n".utf8))
        let stop = Self.exitOnSignals()
        defer { withExtendedLifetime(stop) {} }
        while true {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    /// `total` policies over the registry's types, the first types taking one more when it does
    /// not divide evenly (as `tenantpilot-bench graph-capture` spreads them).
    static func spread(_ total: Int) throws -> [String: Int] {
        let types = try PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment).types
        var counts: [String: Int] = [:]
        for (index, type) in types.enumerated() {
            counts[type.key] = total / types.count + (index < total % types.count ? 1 : 0)
        }
        return counts
    }

    /// Exits 0 on SIGTERM and SIGINT, so that killing the simulator is a clean stop.
    private static func exitOnSignals() -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Foundation.exit(0) }
            source.resume()
            return source
        }
    }
}
