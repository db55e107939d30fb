import Foundation

/// What one sync found for one policy type.
public struct PolicyTypeSyncReport: Sendable, Equatable, Codable {
    public var type: String
    public var found: Int
    public var new: Int
    public var updated: Int
    public var gone: Int
    /// Policies (or, when the whole type failed, 1) that could not be listed.
    public var failed: Int
    public var errorCode: ErrorCode?

    public init(
        type: String, found: Int = 0, new: Int = 0, updated: Int = 0, gone: Int = 0, failed: Int = 0,
        errorCode: ErrorCode? = nil
    ) {
        self.type = type
        self.found = found
        self.new = new
        self.updated = updated
        self.gone = gone
        self.failed = failed
        self.errorCode = errorCode
    }
}

/// Keeps `policies` in step with what Graph lists (docs/architecture.md): upserts every listed
/// policy, marks the ones that disappeared as gone, and reports per type.
public struct PolicySyncService: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Records the listing of one type for one tenant, in one transaction.
    public func record(
        tenantId: Int64, type: PolicyType, listed: [JSONValue], at instant: Date
    ) async throws(TenantPilotError) -> PolicyTypeSyncReport {
        let stamp = Instant(instant)
        let entries = listed.compactMap { policy -> (id: String, name: String, hash: String)? in
            guard let id = PolicyIdentity.graphId(of: policy) else { return nil }
            let stable = VolatileFields.stripped(policy, fields: type.volatileFields)
            return (id, PolicyIdentity.displayName(of: policy), PayloadHash.canonical(stable).sha256)
        }
        let unidentified = listed.count - entries.count
        let typeKey = type.key
        return try await store.write { tx in
            var report = PolicyTypeSyncReport(type: typeKey, found: entries.count, failed: unidentified)
            let known = try tx.policies.known(tenantId: tenantId, type: typeKey)
            var seen = Set<String>()
            for entry in entries where seen.insert(entry.id).inserted {
                if let previous = known[entry.id] {
                    if previous.summarySha256 != entry.hash || previous.gone { report.updated += 1 }
                } else {
                    report.new += 1
                }
                try tx.policies.recordSeen(
                    tenantId: tenantId, type: typeKey, graphId: entry.id, displayName: entry.name,
                    summarySha256: entry.hash,
                    at: stamp)
            }
            for (id, state) in known where !state.gone && !seen.contains(id) {
                report.gone += 1
                try tx.policies.markGone(tenantId: tenantId, type: typeKey, graphId: id, at: stamp)
            }
            return report
        }
    }
}

/// How a policy is named in Graph payloads.
public enum PolicyIdentity {
    public static func graphId(of policy: JSONValue) -> String? {
        policy["id"]?.stringValue
    }

    /// `displayName`, else `name` (settings catalog uses it), else the id. A NUL in it is kept
    /// as the visible escape `\u{0}`: SQLite's text would end at the NUL and lose the rest.
    public static func displayName(of policy: JSONValue) -> String {
        for key in ["displayName", "name"] {
            if let value = policy[key]?.stringValue, !value.isEmpty { return withoutNUL(value) }
        }
        return withoutNUL(policy["id"]?.stringValue ?? "(unnamed)")
    }

    static func withoutNUL(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\\u{0}") : text
    }
}

/// Removes the registry's volatile fields (top level, and `@odata.*` annotations anywhere).
public enum VolatileFields {
    public static func stripped(_ value: JSONValue, fields: [String]) -> JSONValue {
        strip(value, fields: Set(fields), topLevel: true)
    }

    private static func strip(_ value: JSONValue, fields: Set<String>, topLevel: Bool) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, child) in object {
                if topLevel && fields.contains(key) { continue }
                if key.hasPrefix("@odata.") || key.contains("@odata.") { continue }
                result[key] = strip(child, fields: fields, topLevel: false)
            }
            return .object(result)
        case .array(let items):
            return .array(items.map { strip($0, fields: fields, topLevel: false) })
        default:
            return value
        }
    }
}
