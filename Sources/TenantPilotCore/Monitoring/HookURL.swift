import Foundation

/// The URL of a webhook or a ping: `https://`, or plain `http://` to a loopback host only (as
/// for Graph), with a host. Webhook URLs carry their tokens in the path or the query, so a URL
/// is only ever shown redacted: `https://hooks.example.com/…`.
public enum HookURL {
    /// `value` as a hook URL, or bad input naming it (redacted) and saying what is wrong.
    /// `option` (`--webhook`, `$VAR`) names where it came from.
    public static func validated(_ value: String, option: String) throws(TenantPilotError) -> URL {
        let shown = redacted(value)
        guard !value.isEmpty, value.utf8.count <= 4096, !value.unicodeScalars.contains(where: Self.isUnsafe),
            let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, let url = components.url
        else {
            throw .invalid(
                "\(option) \(shown.debugDescription) is not a URL (example: https://hc-ping.com/your-check-uuid)")
        }
        switch scheme {
        case "https":
            break
        case "http":
            guard InputValidation.isLoopback(host) else {
                throw .invalid(
                    "\(option) \(shown.debugDescription) uses plain http:// for a host that is not loopback; use https://"
                )
            }
        default:
            throw .invalid("\(option) \(shown.debugDescription) must use https:// (http:// only for loopback hosts)")
        }
        if components.fragment != nil {
            throw .invalid("\(option) \(shown.debugDescription) must not have a #fragment")
        }
        return url
    }

    /// `scheme://host[:port]/…`: the URL without its credentials, path and query; a value that
    /// is not a URL is cut to its first characters. What every list, output and audit entry shows.
    public static func redacted(_ value: String) -> String {
        if let components = URLComponents(string: value), let scheme = components.scheme, let host = components.host,
            !host.isEmpty
        {
            var shown = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)"
            if let port = components.port { shown += ":\(port)" }
            let hasMore = !(components.path.isEmpty || components.path == "/") || components.query != nil
            return shown + (hasMore ? "/…" : "")
        }
        let head = PlainText.escaped(String(value.prefix(12)))
        return value.count > 12 ? head + "…" : head
    }

    /// The URL of a ping: `URL/start`, `URL` or `URL/fail` (healthchecks.io), the suffix added to
    /// the path before any query.
    static func ping(_ url: URL, suffix: String?) -> URL {
        guard let suffix, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        components.path = path + "/" + suffix
        return components.url ?? url
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        PlainText.needsEscape(scalar) || scalar == " "
    }
}
