import Foundation
import TenantPilotCore

/// Writes results: a human rendering, or exactly one JSON document on stdout with `--json`.
enum CommandOutput {
    /// The one encoder of `--json` documents: snake_case keys from the documents' camelCase
    /// names, sorted keys, slashes as they are. Which optional keys are printed as `null` is
    /// each document's (`@Nullable`).
    static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static func printJSON<T: Encodable>(_ value: T) {
        do {
            let data = try jsonEncoder().encode(value)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } catch {
            printJSONError(code: .internalError, message: "could not encode output: \(error)")
        }
    }

    static func printJSONError(code: ErrorCode, message: String) {
        printJSON(["error": ["code": code.rawValue, "message": message]])
    }

    /// One line on stdout, written at once (no stdio buffer to flush when cron reads a pipe).
    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }

    /// A line of the diagnostic stream (stderr).
    static func printDiagnostic(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
