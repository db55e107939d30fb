import Foundation
import Logging

/// The diagnostic stream of `--log-level` / `--verbose`: lines on stderr, nothing on stdout (so
/// `--json` stays one document), and by default only warnings — a run that succeeds prints
/// nothing. What is logged are ids, names, counts, codes and timings, never a secret.
enum Diagnostics {
    static func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "tenantpilot") { label in StandardErrorLines(label: label) }
        logger.logLevel = level
        return logger
    }

    /// `tenantpilot[debug] run started run=12 schedule=contoso/nightly`, written whole.
    struct StandardErrorLines: LogHandler {
        let label: String
        var logLevel: Logger.Level = .warning
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let line = ([("\(label)[\(event.level)] \(event.message)")] + fields).joined(separator: " ")
            CommandOutput.printDiagnostic(line)
        }
    }
}
