import Foundation

/// What changed between two backup sets (`backups diff A B`): policies added, removed and
/// changed, comparing payloads as `drift` and `restore` do (`PayloadComparison`): without the
/// registry's volatile fields, without the order of array elements, which Graph changes on its
/// own between two reads, and naming each changed property with its old and new value.
public struct BackupDiff: Encodable, Sendable {
    public struct Entry: Encodable, Sendable, Equatable {
        public let type: String
        public let graphId: String
        public let displayName: String
        /// For a changed policy: the top-level properties whose content differs (absent for
        /// added and removed policies).
        public let changedFields: [String]?
        /// For a changed policy: every property that differs (path, old, new).
        public let changes: [PropertyChange]?

        init(type: String, graphId: String, displayName: String, changes: [PropertyChange]? = nil) {
            self.type = type
            self.graphId = graphId
            self.displayName = displayName
            self.changes = changes
            self.changedFields = changes.map { Array(Set($0.map(\.property))).sorted() }
        }
    }

    public let from: Int64
    public let to: Int64
    public let fromTenant: String
    public let toTenant: String
    /// The two sets are of different tenants: their policies are matched by type and display
    /// name (Graph ids differ from one tenant to another), as a restore into another tenant does.
    public let crossTenant: Bool
    /// `graph_id`, or `display_name` across tenants.
    public let matchedBy: String
    public let added: [Entry]
    public let removed: [Entry]
    public let changed: [Entry]
    public let unchanged: Int

    /// Compares set `from` with set `to`.
    public static func compare(
        from: Int64, to: Int64, store: BackupSetStore, registry: PolicyTypeRegistry
    ) async throws(TenantPilotError) -> BackupDiff {
        guard let old = try await store.set(id: from) else {
            throw .notFound("no backup set with id \(from); see `tenantpilot backups list`")
        }
        guard let new = try await store.set(id: to) else {
            throw .notFound("no backup set with id \(to); see `tenantpilot backups list`")
        }
        let crossTenant = old.summary.tenantId != new.summary.tenantId
        let oldItems = Self.keyed(old.items, byName: crossTenant)
        let newItems = Self.keyed(new.items, byName: crossTenant)

        var added: [Entry] = []
        var removed: [Entry] = []
        var changed: [Entry] = []
        var unchanged = 0
        for (itemKey, item) in newItems where oldItems[itemKey] == nil {
            added.append(Entry(type: item.typeKey, graphId: item.graphId, displayName: item.displayName))
        }
        for (itemKey, item) in oldItems where newItems[itemKey] == nil {
            removed.append(Entry(type: item.typeKey, graphId: item.graphId, displayName: item.displayName))
        }
        for (itemKey, newItem) in newItems {
            guard let oldItem = oldItems[itemKey] else { continue }
            if oldItem.sha256 == newItem.sha256 {
                unchanged += 1
                continue
            }
            let comparison = PayloadComparison(type: registry.type(forKey: newItem.typeKey))
            let changes = comparison.changes(
                from: try await store.payload(sha256: oldItem.sha256) ?? .null,
                to: try await store.payload(sha256: newItem.sha256) ?? .null)
            if changes.isEmpty {
                unchanged += 1
            } else {
                changed.append(
                    Entry(
                        type: newItem.typeKey, graphId: newItem.graphId, displayName: newItem.displayName,
                        changes: changes))
            }
        }
        let order: (Entry, Entry) -> Bool = {
            ($0.type, $0.displayName, $0.graphId) < ($1.type, $1.displayName, $1.graphId)
        }
        return BackupDiff(
            from: from, to: to, fromTenant: old.summary.tenantName, toTenant: new.summary.tenantName,
            crossTenant: crossTenant, matchedBy: crossTenant ? "display_name" : "graph_id",
            added: added.sorted(by: order), removed: removed.sorted(by: order),
            changed: changed.sorted(by: order), unchanged: unchanged)
    }

    /// The items by what matches them: type and Graph id, or type and display name (with the
    /// occurrence, in Graph-id order, when one set holds that name twice).
    static func keyed(_ items: [BackupItemRecord], byName: Bool) -> [String: BackupItemRecord] {
        var keyed: [String: BackupItemRecord] = [:]
        var seen: [String: Int] = [:]
        for item in items.sorted(by: { ($0.typeKey, $0.graphId) < ($1.typeKey, $1.graphId) }) {
            var key = item.typeKey + "\u{1F}" + (byName ? item.displayName : item.graphId)
            let occurrence = seen[key, default: 0]
            seen[key] = occurrence + 1
            if occurrence > 0 { key += "\u{1F}\(occurrence)" }
            if keyed[key] == nil { keyed[key] = item }
        }
        return keyed
    }

    /// The payload without volatile fields and with every array in a canonical order.
    static func normalized(_ payload: JSONValue, volatile: [String]) -> JSONValue {
        PayloadComparison.sortedArrays(VolatileFields.stripped(payload, fields: volatile))
    }
}
