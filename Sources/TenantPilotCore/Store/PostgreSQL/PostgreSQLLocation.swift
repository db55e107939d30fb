import Foundation

/// Where a PostgreSQL store is: `postgresql://USER@HOST[:PORT]/DB[?sslmode=MODE]` (or
/// `postgres://`), as `--db` or `TENANTPILOT_DB` give it, with the password found apart from
/// the URL. Parsing checks everything that can be checked without the server, so bad input
/// exits 2 before anything is opened; the password is never part of any text this value prints.
public struct PostgreSQLLocation: Sendable, Equatable {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert`: the CA file that verifies the server (`verify-ca`, `verify-full`), or
    /// `system` for the system's roots.
    public var sslRootCertificate: String?
    /// `connect_timeout` in seconds: how long connecting and logging in may take.
    public var connectTimeout: Int
    /// Found by `resolvingPassword`; nil when none is known (the server may not ask for one).
    public var password: DatabasePassword?

    public static let defaultPort = 5432
    public static let defaultConnectTimeout = 10

    /// libpq's `sslmode`: whether TLS is used, and what of the server's certificate is checked.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// Without TLS first; TLS (unverified) only if the server refuses a plain connection.
        case allow
        /// TLS (unverified) when the server offers it, else without (libpq's default).
        case prefer
        /// TLS always; the certificate is not checked.
        case require
        /// TLS always; the certificate must be signed by the trusted CA.
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate must name the host.
        case verifyFull = "verify-full"

        /// Whether the server's certificate is checked against a CA.
        public var verifiesCertificate: Bool { self == .verifyCA || self == .verifyFull }
    }

    /// Whether `text` names a PostgreSQL store (rather than a SQLite file).
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// Parses a `postgresql://` URL; `source` (`--db`, `TENANTPILOT_DB`) names where it came
    /// from in the message of bad input. A URL holding a password is refused: it would show in
    /// process lists, crontabs and shell histories.
    public static func parse(_ text: String, source: String, environment: [String: String]) throws(TenantPilotError)
        -> PostgreSQLLocation
    {
        let shown = PlainText.escaped(redacted(text)).debugDescription
        let form = "expected postgresql://USER@HOST[:PORT]/DB, optionally with ?sslmode=MODE"
        guard isURL(text), let components = URLComponents(string: text) else {
            throw .invalid("\(source): \(shown) is not a PostgreSQL URL (\(form))")
        }
        if components.password != nil {
            throw .invalid(
                "\(source): \(shown) holds a password; give it in PGPASSWORD, ~/.pgpass or --db-password-file instead")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains("/") else {
            throw .invalid("\(source): \(shown) names no host (\(form); a Unix socket is not supported)")
        }
        let port = components.port ?? defaultPort
        guard (1...65_535).contains(port) else {
            throw .invalid("\(source): \(shown) has port \(port), which is not between 1 and 65535")
        }
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        let database = path.removingPercentEncoding ?? path
        guard !database.isEmpty, !path.contains("/") else {
            throw .invalid("\(source): \(shown) names no database (\(form))")
        }
        let user =
            components.user.flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["USER"].flatMap { $0.isEmpty ? nil : $0 }
        guard let user else {
            throw .invalid("\(source): \(shown) names no user (\(form))")
        }
        var location = PostgreSQLLocation(
            user: user, host: host, port: port, database: database, sslMode: .prefer, sslRootCertificate: nil,
            connectTimeout: defaultConnectTimeout, password: nil)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw .invalid(
                        "\(source): sslmode=\(PlainText.escaped(value).debugDescription) is not an sslmode (one of \(modes))"
                    )
                }
                location.sslMode = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw .invalid("\(source): sslrootcert= names no file") }
                location.sslRootCertificate = value
            case "connect_timeout":
                guard let seconds = Int(value), (1...3600).contains(seconds) else {
                    throw .invalid(
                        "\(source): connect_timeout=\(PlainText.escaped(value).debugDescription) is not a number of seconds from 1 to 3600"
                    )
                }
                location.connectTimeout = seconds
            default:
                throw .invalid(
                    "\(source): \(shown) has the parameter \(PlainText.escaped(item.name).debugDescription), which tenantpilot does not know (known: sslmode, sslrootcert, connect_timeout)"
                )
            }
        }
        if location.sslMode.verifiesCertificate {
            let root = location.sslRootCertificate ?? defaultRootCertificate(environment: environment)
            if root != "system", !FileManager.default.fileExists(atPath: root) {
                throw .invalid(
                    "\(source): sslmode=\(location.sslMode.rawValue) needs the CA's certificate, and \(root) cannot be read (No such file or directory); name it with sslrootcert=FILE, or use sslrootcert=system for the system's trusted roots"
                )
            }
            location.sslRootCertificate = root
        }
        return location
    }

    /// libpq's default CA file: `~/.postgresql/root.crt`.
    static func defaultRootCertificate(environment: [String: String]) -> String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.postgresql/root.crt"
    }

    /// The URL as it may be printed: never a password, with the parameters that change how the
    /// store is reached.
    public var displayURL: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let userPart = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user
        let databasePart = database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? database
        var url = "postgresql://\(userPart)@\(hostPart)"
        if port != Self.defaultPort { url += ":\(port)" }
        url += "/\(databasePart)"
        if sslMode != .prefer { url += "?sslmode=\(sslMode.rawValue)" }
        return url
    }

    /// `text` with anything between `user:` and `@` replaced by `***`, for messages about a URL
    /// that may not even parse.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let authorityEnd = text[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
        let authority = text[scheme.upperBound..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return text
        }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}

/// A database password: held only to be sent to the server, never printed — its description
/// is `***` so that no interpolation, log line or error message can show it.
public struct DatabasePassword: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String
    /// Where it was found (`PGPASSWORD`, `~/.pgpass`, the file of `--db-password-file`).
    public let source: String

    public init(_ value: String, source: String) {
        self.value = value
        self.source = source
    }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
}
