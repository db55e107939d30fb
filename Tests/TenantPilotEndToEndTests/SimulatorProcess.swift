import Foundation
import GraphSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The Graph simulator executable, started on an ephemeral loopback port for one test.
final class SimulatorProcess: @unchecked Sendable {
    let process: Process
    let baseURL: String
    static let tenantGuid = "11111111-2222-3333-4444-555555555555"
    static let clientSecret = "simulated-secret-value"

    init(policiesPerType: Int = 2, pageSize: Int = 50, latencyMilliseconds: Int = 0, extra: [String] = []) throws {
        let launched = try SimulatorExecutable.launch(
            CLI.productsFolder.appendingPathComponent("tenantpilot-graph-simulator"),
            arguments: [
                "--port", "0", "--seed", "1", "--tenant", Self.tenantGuid, "--policies-per-type",
                String(policiesPerType),
                "--page-size", String(pageSize), "--latency-ms", String(latencyMilliseconds), "--client-secret",
                Self.clientSecret,
            ] + extra)
        process = launched.process
        baseURL = launched.baseURL.absoluteString
    }

    /// Registers the simulated tenant with the CLI's store.
    func addTenant(to cli: CLI, name: String = "contoso") throws -> CLI.Result {
        try cli.run(
            [
                "tenants", "add", "--name", name, "--tenant-id", Self.tenantGuid, "--client-id", "tenantpilot-tests",
                "--client-secret-env", "SIM_SECRET", "--graph-url", baseURL, "--authority-url", baseURL,
            ])
    }

    /// Calls a `/_simulator/` control endpoint and returns its JSON reply.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        guard let url = URL(string: baseURL + "/_simulator/" + path) else {
            throw GraphSimulatorError("no control URL for \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExitWithoutSpinning()
        }
    }
}
