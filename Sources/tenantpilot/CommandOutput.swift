import Foundation
import TenantPilotCore

/// Writes results: a human rendering, or exactly one JSON document on stdout with `--json`.
enum CommandOutput {
    static func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(date))
        }
        do {
            let data = try encoder.encode(value)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } catch {
            printJSONError(code: "INTERNAL_ERROR", message: "could not encode output: \(error)")
        }
    }

    static func printJSONError(code: String, message: String) {
        printJSON(["error": ["code": code, "message": message]])
    }

    /// One line on stdout, written at once (no stdio buffer to flush when cron reads a pipe).
    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }
}
