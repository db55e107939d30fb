import Foundation

/// The one error type that reaches the command line. Every failure is converted to it at the
/// boundary (database, network, file system), carries a stable `ErrorCode`, and maps to an
/// exit code of docs/cli.md in one place (`ExitStatus`).
public struct TenantPilotError: Error, LocalizedError, Sendable, Equatable {
    /// How the failure is classified, which decides the exit code.
    public enum Kind: String, Sendable, Equatable {
        /// Bad input or usage: exit 2, nothing written.
        case invalidInput
        /// The operation could not be done: exit 1.
        case failed
        /// A run was not created or was skipped (lock held, slot taken): exit 4.
        case notRun
    }

    public let kind: Kind
    /// Stable, upper-snake-case code (`INVALID_INPUT`, `NOT_FOUND`, a run error code of §6, …).
    public let code: ErrorCode
    public let message: String

    public init(_ kind: Kind, code: ErrorCode, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var errorDescription: String? { message }

    /// docs/cli.md exit code for this error.
    public var exitCode: Int32 { ExitStatus.of(self) }

    /// Bad input: names the bad value; exit 2.
    public static func invalid(_ message: String, code: ErrorCode = .invalidInput) -> TenantPilotError {
        TenantPilotError(.invalidInput, code: code, message)
    }

    /// Something addressed by the user does not exist; exit 2.
    public static func notFound(_ message: String) -> TenantPilotError {
        TenantPilotError(.invalidInput, code: .notFound, message)
    }

    /// The operation could not be done; exit 1.
    public static func failed(_ message: String, code: ErrorCode = .internalError) -> TenantPilotError {
        TenantPilotError(.failed, code: code, message)
    }
}
