import Foundation
import TenantPilotCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes results: a human rendering, or exactly one JSON document on stdout with `--json`.
///
/// Every write goes through `write(2)` directly. A failed write (`>/dev/full`, a closed pipe, a
/// full disk under a log) is remembered, never fatal — Foundation's `FileHandle.write` traps
/// on one — and the process then exits 1 instead of 0 (`exitStatus`).
enum CommandOutput {
    /// The one encoder of `--json` documents (`DocumentEncoding`, pretty-printed).
    static func jsonEncoder() -> JSONEncoder {
        DocumentEncoding.encoder(pretty: true)
    }

    static func printJSON<T: Encodable>(_ value: T) {
        do {
            let data = try jsonEncoder().encode(value)
            write(data + Data("\n".utf8), to: STDOUT_FILENO)
        } catch {
            printJSONError(code: .internalError, message: "could not encode output: \(error)")
        }
    }

    static func printJSONError(code: ErrorCode, message: String) {
        printJSON(["error": ["code": code.rawValue, "message": message]])
    }

    /// Lines on stdout, written at once (no stdio buffer to flush when cron reads a pipe). Control
    /// characters other than the line breaks between lines are shown as escapes.
    static func printLine(_ text: String) {
        write(Data((visible(text) + "\n").utf8), to: STDOUT_FILENO)
    }

    static func printError(_ text: String) {
        writeError("error: " + visible(text) + "\n")
    }

    /// Raw text on stderr (progress lines, usage messages).
    static func writeError(_ text: String) {
        write(Data(text.utf8), to: STDERR_FILENO)
    }

    /// `text` with every control character escaped except the newlines that separate its lines.
    static func visible(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { PlainText.escaped(String($0)) }
            .joined(separator: "\n")
    }

    // MARK: - Writing

    private static let failed = WriteFailureFlag()

    /// Whether some output could not be written.
    static var writeFailed: Bool { failed.isSet }

    /// The exit status to end with: `status`, or 1 when the command succeeded but its output
    /// could not be written.
    static func exitStatus(_ status: Int32) -> Int32 {
        status == 0 && writeFailed ? 1 : status
    }

    /// Writes all of `data` to `descriptor`, retrying short writes and interruptions; on any
    /// other error gives up and remembers the failure.
    static func write(_ data: Data, to descriptor: Int32) {
        let complete = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let written = systemWrite(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if written == 0 { return false }
                pointer += written
                remaining -= written
            }
            return true
        }
        if !complete { failed.set() }
    }

    /// A line of the diagnostic stream (stderr).
    static func printDiagnostic(_ text: String) {
        writeError(visible(text) + "\n")
    }
}

/// `write(2)`, named apart from `CommandOutput.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}

/// Set once when a write to stdout or stderr failed.
private final class WriteFailureFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
