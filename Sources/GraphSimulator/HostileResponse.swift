import Foundation
import TenantPilotCore

/// Answers no honest Graph gives, for testing the client's defences (injected as
/// `SimulatedFault.hostile`): redirects that would carry the token away, bodies that drip or
/// never end, collections whose next links never run out, and headers or numbers no client
/// should trust.
public enum HostileResponse: Sendable, Hashable {
    /// `status` (301, 302, 303, 307, 308) with `Location: location`.
    case redirect(status: Int, location: String)
    /// The real answer, sent `bytes` bytes at a time with `interval` between them.
    case slowDrip(interval: Duration, bytes: Int)
    /// A collection page with no elements whose next link leads to another new page, for ever.
    case endlessNextLinks
    /// A 200 collection page `bytes` long (its array padded with whitespace), generated as it is
    /// sent, never held in memory; `announced` sends its `Content-Length`, else it is chunked.
    case hugeBody(bytes: Int, announced: Bool)
    /// `status` with `Retry-After: value` exactly as given (`1e30`, `-5`, `9223372036854775807`).
    case retryAfter(status: Int, value: String)
    /// On the token endpoint: a valid token whose `expires_in` is the raw JSON `literal`.
    case tokenLifetime(literal: String)
    /// Exactly this status, these headers and this body.
    case raw(status: Int, headers: [String: String], body: String)
}

extension HostileResponse {
    /// Reads `{"fault": "hostile", "mode": …}` of the control endpoint.
    static func parse(_ body: JSONValue) throws -> HostileResponse {
        func int(_ key: String, _ fallback: Int) -> Int {
            switch body[key] {
            case .int(let value)?: Int(clamping: value)
            case .string(let text)?: Int(text) ?? fallback
            default: fallback
            }
        }
        func text(_ key: String) -> String { body[key]?.stringValue ?? "" }
        switch body["mode"]?.stringValue {
        case "redirect": return .redirect(status: int("status", 302), location: text("location"))
        case "slowDrip":
            return .slowDrip(interval: .milliseconds(int("intervalMs", 1000)), bytes: max(1, int("bytes", 1)))
        case "endlessNextLinks": return .endlessNextLinks
        case "hugeBody":
            return .hugeBody(bytes: max(16, int("bytes", 1 << 30)), announced: body["announced"] == .bool(true))
        case "retryAfter": return .retryAfter(status: int("status", 429), value: text("value"))
        case "tokenLifetime": return .tokenLifetime(literal: text("literal"))
        case "raw":
            var headers: [String: String] = [:]
            for (name, value) in body["headers"]?.objectValue ?? [:] { headers[name] = value.stringValue ?? "" }
            return .raw(status: int("status", 200), headers: headers, body: text("body"))
        default:
            throw GraphSimulatorError("unknown hostile mode \(body["mode"]?.stringValue ?? "(none)")")
        }
    }
}
