import Foundation
import GraphSimulator

@testable import TenantPilotCore

/// A tenant GUID for simulated tenants.
let simulatedTenant = "6b0e7c9a-3f21-4d8e-9a55-0c1d2e3f4a5b"
let simulatorSecret = "s3cr3t-value-never-printed"

/// Sleeps that return at once and are recorded, so retries cost no wall time and tests can
/// check how long the client would have waited.
final class RecordedSleeps: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var durations: [Duration] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            lock.withLock { recorded.append(duration) }
        }
    }
}

/// A pacer clock that only moves when the pacer sleeps, so that a 429's hold-off costs no wall
/// time in tests that answer every sleep at once.
final class VirtualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed = Duration.zero

    func advance(_ duration: Duration) { lock.withLock { elapsed += duration } }

    var timing: GraphPacer.Timing {
        GraphPacer.Timing(
            now: { [self] in lock.withLock { elapsed } },
            sleep: { [self] duration in lock.withLock { elapsed += duration } })
    }
}

/// The bundled registry's type for `key`.
func policyType(_ key: String) throws(TenantPilotError) -> PolicyType {
    let registry = try PolicyTypeRegistry.load(environment: [:])
    guard let type = registry.type(forKey: key) else { throw .failed("no type \(key)") }
    return type
}

/// Starts a simulator, runs `body`, and stops the simulator whatever happens.
func withSimulator<T>(
    _ configuration: GraphSimulator.Configuration, _ body: (GraphSimulator) async throws -> T
) async throws -> T {
    let simulator = try await GraphSimulator.start(configuration)
    do {
        let result = try await body(simulator)
        await simulator.stop()
        return result
    } catch {
        await simulator.stop()
        throw error
    }
}

func simulatorConfiguration(
    _ spec: SimulatedTenantSpec, pageSize: Int = 100, seed: UInt64 = 7
) -> GraphSimulator.Configuration {
    GraphSimulator.Configuration(
        seed: seed, tenants: [simulatedTenant: spec], pageSize: pageSize, clientSecret: simulatorSecret)
}

/// A client of the simulated tenant whose secret comes from the environment.
func makeClient(
    _ simulator: GraphSimulator, sleeps: RecordedSleeps = RecordedSleeps(), secret: String = simulatorSecret,
    options: GraphClientOptions = GraphClientOptions(), pacer: GraphPacer? = nil
) -> URLSessionGraphClient {
    let connection = GraphConnection(
        tenantGUID: simulatedTenant, clientID: "client-app", secret: .environment("TP_TEST_SECRET"),
        graphURL: simulator.baseURL, authorityURL: simulator.baseURL)
    let dependencies = Dependencies(sleep: sleeps.sleep, environment: ["TP_TEST_SECRET": secret])
    return URLSessionGraphClient(
        connection: connection, dependencies: dependencies, options: options,
        pacer: pacer ?? GraphPacer(limits: options.limits, timing: VirtualTime().timing))
}

/// The error a throwing call ended with, or nil when it succeeded.
func caught<T>(_ body: () async throws -> T) async -> TenantPilotError? {
    do {
        _ = try await body()
        return nil
    } catch let error as TenantPilotError {
        return error
    } catch {
        return .failed("not a TenantPilotError: \(error)", code: ErrorCode(rawValue: "UNEXPECTED"))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
