import FlyingFox
import FlyingSocks
import Foundation
import TenantPilotCore

/// A simulated Microsoft Graph and token endpoint for tests, the demo and the benchmarks: seeded
/// tenants with realistic Intune payloads for every registry type, paging, JSON `$batch`, and
/// fault injection. Serves plain HTTP on 127.0.0.1; one instance serves both the authority and
/// Graph (`baseURL` is both).
public final class GraphSimulator: Sendable {
    public let configuration: Configuration
    /// `http://127.0.0.1:PORT`: the Graph URL and the authority URL of simulated tenants.
    public let baseURL: URL
    public let port: UInt16
    let state: SimulatorState
    private let server: HTTPServer
    private let serving: Task<Void, Never>

    private init(
        configuration: Configuration, state: SimulatorState, server: HTTPServer, serving: Task<Void, Never>,
        port: UInt16
    ) {
        self.configuration = configuration
        self.state = state
        self.server = server
        self.serving = serving
        self.port = port
        self.baseURL = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
    }

    /// Starts serving on 127.0.0.1 (`port` 0 picks a free port) and returns once listening.
    public static func start(_ configuration: Configuration = Configuration(), port: UInt16 = 0) async throws
        -> GraphSimulator
    {
        let registry =
            try configuration.registry ?? PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment)
        let state = SimulatorState(configuration: configuration, types: registry.types)
        let handler = SimulatorHandler(state: state)
        let server = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: port), timeout: 120,
            pool: NoDelaySocketPool(base: HTTPServer.defaultPool()), logger: .disabled,
            handler: handler)
        let serving = Task { _ = try? await server.run() }
        do {
            // Generous: dozens of tests start simulators at once on a loaded 2-core CI machine,
            // and FlyingFox's default of 5 s has been seen to run out there.
            try await server.waitUntilListening(timeout: 60)
        } catch {
            serving.cancel()
            throw error
        }
        guard case .ip4(_, let boundPort)? = await server.listeningAddress else {
            await server.stop(timeout: 0)
            throw GraphSimulatorError("the simulator is not listening on an IPv4 address")
        }
        state.baseURL = "http://127.0.0.1:\(boundPort)"
        return GraphSimulator(
            configuration: configuration, state: state, server: server, serving: serving, port: boundPort)
    }

    /// Stops serving at once.
    public func stop() async {
        await server.stop(timeout: 0)
        serving.cancel()
    }

    // MARK: - Traffic

    /// What the simulator has been asked so far.
    public var requestCounts: SimulatorRequestCounts { state.requestCounts }

    /// Forgets the counts (between the phases of a test).
    public func resetRequestCounts() { state.resetCounts() }

    // MARK: - Faults

    /// Makes the next `times` matching requests fail with `fault` (nil: every one, until cleared).
    public func inject(_ fault: SimulatedFault, on target: FaultTarget, times: Int? = nil) {
        state.inject(FaultRule(fault: fault, target: target, remaining: times))
    }

    /// Removes every pending fault.
    public func clearFaults() { state.clearFaults() }

    // MARK: - Tenants and policies

    /// Adds (or regenerates) a simulated tenant.
    public func addTenant(_ tenant: String, _ spec: SimulatedTenantSpec) {
        state.addTenant(tenant, spec: spec)
    }

    /// The ids of a type's policies in a tenant, in listing order.
    public func policyIDs(tenant: String, type: String) -> [String] {
        state.policyIDs(tenant: tenant, type: type)
    }

    /// One policy as the simulator holds it.
    public func policy(tenant: String, type: String, id: String) -> SimulatedPolicy? {
        state.policies(tenant: tenant, type: type)?.first { $0.id == id }
    }

    /// Adds a generated policy of `type`, with `fields` laid over it; returns its id.
    @discardableResult
    public func addPolicy(tenant: String, type: String, fields: [String: TenantPilotCore.JSONValue] = [:]) throws
        -> String
    {
        try state.addPolicy(tenant: tenant, type: type, fields: fields)
    }

    /// Changes a policy: `change` edits it in place; its `lastModifiedDateTime` moves on.
    public func updatePolicy(tenant: String, type: String, id: String, _ change: (inout SimulatedPolicy) -> Void) throws
    {
        try state.updatePolicy(tenant: tenant, type: type, id: id, change)
    }

    /// Sets (or replaces) properties of a policy.
    public func updatePolicy(tenant: String, type: String, id: String, fields: [String: TenantPilotCore.JSONValue])
        throws
    {
        try state.updatePolicy(tenant: tenant, type: type, id: id, fields: fields)
    }

    /// Deletes a policy.
    public func deletePolicy(tenant: String, type: String, id: String) throws {
        try state.deletePolicy(tenant: tenant, type: type, id: id)
    }

    /// Changes, adds and deletes policies spread over the tenant's types (for "between two
    /// backups" scenarios): changed policies get a new description and one more assignment.
    public func mutate(tenant: String, changed: Int, added: Int, deleted: Int) throws -> SimulatedMutation {
        try state.mutate(tenant: tenant, changed: changed, added: added, deleted: deleted)
    }
}
