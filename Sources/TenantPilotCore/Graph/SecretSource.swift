import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a tenant's client secret is read from at run time. The secret itself is never stored,
/// printed or logged; only this description of its source is.
public enum SecretSource: Sendable, Hashable {
    /// The named environment variable of the process.
    case environment(String)
    /// A file (absolute path) that only its owner may read, as ssh demands of private keys.
    case file(String)

    /// Reads the secret. Missing, empty or unreadable secrets and secret files that group or
    /// others may access fail with `CREDENTIALS_UNAVAILABLE`; one trailing newline is trimmed.
    public func read(environment: [String: String]) throws(TenantPilotError) -> String {
        switch self {
        case .environment(let name):
            guard let value = environment[name] else {
                throw Self.unavailable("environment variable \(name) holding the client secret is not set")
            }
            let secret = Self.trimmingTrailingNewline(value)
            guard !secret.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Self.unavailable("environment variable \(name) holding the client secret is empty")
            }
            return secret
        case .file(let path):
            let data: Data
            do {
                data = try SecretFile.read(path)
            } catch {
                throw Self.unavailable(error.message)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw Self.unavailable("secret file \(path) is not UTF-8 text")
            }
            let secret = Self.trimmingTrailingNewline(text)
            guard !secret.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Self.unavailable("secret file \(path) is empty")
            }
            return secret
        }
    }

    /// `env:NAME` or `file:/path` — safe to show, since it never contains the secret.
    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }

    private static func trimmingTrailingNewline(_ text: String) -> String {
        var text = text
        if text.hasSuffix("\r\n") {
            text.removeLast(2)
        } else if text.hasSuffix("\n") {
            text.removeLast()
        }
        return text
    }

    private static func unavailable(_ message: String) -> TenantPilotError {
        .failed(message, code: .credentialsUnavailable)
    }
}
