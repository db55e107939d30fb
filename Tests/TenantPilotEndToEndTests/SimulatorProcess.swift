import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The Graph simulator executable, started on an ephemeral loopback port for one test.
final class SimulatorProcess: @unchecked Sendable {
    let process = Process()
    let baseURL: String
    static let tenantGuid = "11111111-2222-3333-4444-555555555555"
    static let clientSecret = "simulated-secret-value"

    init(policiesPerType: Int = 2, pageSize: Int = 50, latencyMilliseconds: Int = 0, extra: [String] = []) throws {
        process.executableURL = CLI.productsFolder.appendingPathComponent("tenantpilot-graph-simulator")
        process.arguments = [
            "--port", "0", "--seed", "1", "--tenant", Self.tenantGuid, "--policies-per-type", String(policiesPerType),
            "--page-size", String(pageSize), "--latency-ms", String(latencyMilliseconds), "--client-secret", Self.clientSecret,
        ] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line announces the address; reading it is the synchronisation.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://") else {
            process.terminate()
            throw SimulatorError.noAddress(text)
        }
        baseURL = String(text[range.lowerBound...]).trimmingCharacters(in: .whitespaces)
    }

    enum SimulatorError: Error { case noAddress(String) }

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
        guard let url = URL(string: baseURL + "/_simulator/" + path) else { throw SimulatorError.noAddress(path) }
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
            process.waitUntilExit()
        }
    }
}
