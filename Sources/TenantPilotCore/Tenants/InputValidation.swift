import Foundation

/// Checks of user input shared by the management commands. Each failure names the bad value.
public enum InputValidation {
    /// Longest tenant or schedule name accepted.
    public static let maximumNameLength = 100

    /// A tenant or schedule name: 1–100 characters, no `/` (names are addressed as
    /// `TENANT/NAME`), no control characters, no surrounding whitespace.
    /// Names are stored in Unicode NFC, so that one name typed in composed or decomposed form
    /// (`é` or `e` + `◌́`) is one name; emoji, their joiners included, are kept.
    public static func name(_ raw: String, what: String) throws(TenantPilotError) -> String {
        let value = normalized(raw)
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
        if PlainText.containsControl(value) {
            throw .invalid(
                "\(what) name \(PlainText.escaped(value).debugDescription) must not contain control characters")
        }
        if Int64(value) != nil {
            throw .invalid("\(what) name \"\(value)\" must not be a number (numbers address schedules by id)")
        }
        return value
    }

    /// The form names are stored and looked up in (NFC).
    public static func normalized(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping
    }

    /// A Microsoft Entra tenant id: a GUID, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, exactly
    /// (a trailing newline, as `$(cat file)` leaves none but `read` may, is refused).
    public static func guid(_ value: String, option: String) throws(TenantPilotError) -> String {
        let groups = value.split(separator: "-", omittingEmptySubsequences: false)
        let hex = { (text: Substring) in
            text.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0)
            }
        }
        guard groups.map(\.utf8.count) == [8, 4, 4, 4, 12], groups.allSatisfy(hex) else {
            throw .invalid(
                "\(option) \(PlainText.escaped(value).debugDescription) is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
            )
        }
        return value.lowercased()
    }

    /// A path to a secret file: no control characters (a newline in it is a pasting accident,
    /// and would forge lines wherever the path is shown).
    public static func secretPath(_ value: String, option: String) throws(TenantPilotError) -> String {
        guard !value.isEmpty else { throw .invalid("\(option) must not be empty") }
        guard !PlainText.containsControl(value) else {
            throw .invalid("\(option) \(PlainText.escaped(value).debugDescription) must not contain control characters")
        }
        return value
    }

    /// An application (client) id: printable, no whitespace, at most 128 characters.
    public static func clientId(_ value: String, option: String = "--client-id") throws(TenantPilotError) -> String {
        if value.isEmpty || value.count > 128 || value.contains(where: { $0.isWhitespace })
            || PlainText.containsControl(value)
        {
            throw .invalid(
                "\(option) \(PlainText.escaped(value).debugDescription) is not a valid application (client) id")
        }
        return value
    }

    /// An environment variable's name.
    public static func environmentVariableName(_ value: String, option: String = "--client-secret-env")
        throws(TenantPilotError) -> String
    {
        let allowed = { (byte: UInt8) in
            byte == 0x5F || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        guard let first = value.utf8.first, !(0x30...0x39).contains(first), value.utf8.count <= 128,
            value.utf8.allSatisfy(allowed)
        else {
            throw .invalid(
                "\(option) \(PlainText.escaped(value).debugDescription) is not an environment variable name (letters, digits, _)"
            )
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
