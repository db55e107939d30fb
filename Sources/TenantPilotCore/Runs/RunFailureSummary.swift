import Foundation

/// A run's error message from the types that failed: a failure that struck several types for
/// the same reason (throttled, unreachable, forbidden, refused credentials) is named once with
/// the types it struck, not once per type.
enum RunFailureSummary {
    /// Codes that mean the tenant as a whole failed the request, whichever type asked.
    static let tenantWide: Set<ErrorCode> = [
        .graphThrottled, .graphUnavailable, .graphForbidden, .graphAuthFailed, .credentialsUnavailable, .runTimeout,
    ]

    static func describe(_ failures: [(key: String, error: TenantPilotError)]) -> String {
        var groups: [(code: ErrorCode?, members: [(key: String, error: TenantPilotError)])] = []
        for failure in failures {
            let code = tenantWide.contains(failure.error.code) ? failure.error.code : nil
            if let code, let index = groups.firstIndex(where: { $0.code == code }) {
                groups[index].members.append(failure)
            } else {
                groups.append((code, [failure]))
            }
        }
        return groups.map { group in
            guard let first = group.members.first else { return "" }
            if group.members.count == 1 { return "\(first.key): \(first.error.message)" }
            let keys = group.members.map(\.key).joined(separator: ", ")
            var line = "\(keys): \(first.error.message)"
            let permissions = distinctPermissions(group.members.map(\.error.message))
            if permissions.count > 1 { line += " (permissions needed: \(permissions.joined(separator: ", ")))" }
            return line
        }.joined(separator: "; ")
    }

    /// The permissions 403 messages name (`… needs the application permission X`), in order.
    private static func distinctPermissions(_ messages: [String]) -> [String] {
        let marker = "application permission "
        var seen: [String] = []
        for message in messages {
            guard let range = message.range(of: marker) else { continue }
            let name = message[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "." }
            if !name.isEmpty, !seen.contains(String(name)) { seen.append(String(name)) }
        }
        return seen
    }
}
