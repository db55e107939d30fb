import Foundation

/// Starting the `tenantpilot-graph-simulator` executable from Swift (end-to-end tests,
/// benchmarks): it is run with `--port 0`, and the address it announces on its first line
/// (`listening on http://127.0.0.1:PORT …`) is read back; reading that line is the
/// synchronisation, so nobody sleeps waiting for the port.
public enum SimulatorExecutable {
    /// Runs `executable` with `arguments` and returns the process and the base URL it listens on.
    /// `standardError` is where the simulator's log goes (the null device when nil).
    public static func launch(
        _ executable: URL, arguments: [String], standardError: FileHandle? = nil
    ) throws -> (process: Process, baseURL: URL) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = standardError ?? FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://"),
            let url = URL(string: String(text[range.lowerBound...]).trimmingCharacters(in: .whitespaces))
        else {
            process.terminate()
            throw GraphSimulatorError("the simulator did not announce its address: \(text)")
        }
        return (process, url)
    }
}
