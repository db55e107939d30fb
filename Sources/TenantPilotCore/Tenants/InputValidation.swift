import Foundation

/// Checks of user input shared by the management commands. Each failure names the bad value.
public enum InputValidation {
    /// Longest tenant or schedule name accepted.
    public static let maximumNameLength = 100

    /// A tenant or schedule name: 1–100 characters, no `/` (names are addressed as
    /// `TENANT/NAME`), no control characters, no surrounding whitespace.
    public static func name(_ value: String, what: String) throws(TenantPilotError) -> String {
        if value.isEmpty || value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalid("\(what) name must not be empty")
        }
        if value != value.trimmingCharacters(in: .whitespaces) {
            throw .invalid("\(what) name \"\(value)\" must not start or end with spaces")
        }
        if value.count > maximumNameLength {
            throw .invalid(
                "\(what) name \"\(value.prefix(40))…\" is \(value.count) characters long; the limit is \(maximumNameLength)"
            )
        }
        if value.contains("/") {
            throw .invalid("\(what) name \"\(value)\" must not contain \"/\" (schedules are addressed as TENANT/NAME)")
        }
        if value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            throw .invalid("\(what) name \"\(value.debugDescription)\" must not contain control characters")
        }
        if Int64(value) != nil {
            throw .invalid("\(what) name \"\(value)\" must not be a number (numbers address schedules by id)")
        }
        return value
    }

    /// A Microsoft Entra tenant id: a GUID, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    public static func guid(_ value: String, option: String) throws(TenantPilotError) -> String {
        let pattern = #"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#
        guard value.range(of: pattern, options: .regularExpression) != nil else {
            throw .invalid("\(option) \"\(value)\" is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
        }
        return value.lowercased()
    }

    /// An application (client) id: printable, no whitespace, at most 128 characters.
    public static func clientId(_ value: String) throws(TenantPilotError) -> String {
        if value.isEmpty || value.count > 128 || value.contains(where: { $0.isWhitespace })
            || value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        {
            throw .invalid("--client-id \"\(value)\" is not a valid application (client) id")
        }
        return value
    }

    /// An environment variable's name.
    public static func environmentVariableName(_ value: String) throws(TenantPilotError) -> String {
        guard value.range(of: #"^[A-Za-z_][A-Za-z0-9_]{0,127}$"#, options: .regularExpression) != nil else {
            throw .invalid("--client-secret-env \"\(value)\" is not an environment variable name (letters, digits, _)")
        }
        return value
    }

    /// A Graph or authority base URL: `https://…`, or `http://` only for a loopback host
    /// (127.0.0.0/8, ::1, localhost). Returned without a trailing slash.
    public static func baseURL(_ value: String, option: String) throws(TenantPilotError) -> String {
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw .invalid("\(option) \"\(value)\" is not a URL (example: https://graph.microsoft.com)")
        }
        if components.query != nil || components.fragment != nil || components.user != nil || components.password != nil
        {
            throw .invalid("\(option) \"\(value)\" must be a base URL without query, fragment or credentials")
        }
        switch scheme {
        case "https":
            break
        case "http":
            guard isLoopback(host) else {
                throw .invalid(
                    "\(option) \"\(value)\" uses plain http:// for a host that is not loopback; use https://")
            }
        default:
            throw .invalid("\(option) \"\(value)\" must use https://")
        }
        var text = value
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Whether a host names this machine: 127.0.0.0/8, ::1 or localhost.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets.first == "127"
    }
}
