import Foundation

/// What changed between two backup sets (`backups diff A B`): policies added, removed and
/// changed, comparing payloads without the registry's volatile fields and without the order
/// of array elements, which Graph changes on its own between two reads.
public struct BackupDiff: Encodable, Sendable {
    public struct Entry: Encodable, Sendable, Equatable {
        public let type: String
        public let graphId: String
        public let displayName: String
        /// For a changed policy: the top-level properties whose content differs (absent for
        /// added and removed policies).
        public let changedFields: [String]?
    }

    public let from: Int64
    public let to: Int64
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
        func key(_ item: BackupItemRecord) -> String { item.typeKey + "\u{1F}" + item.graphId }
        let oldItems = Dictionary(old.items.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let newItems = Dictionary(new.items.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })

        var added: [Entry] = []
        var removed: [Entry] = []
        var changed: [Entry] = []
        var unchanged = 0
        for (itemKey, item) in newItems where oldItems[itemKey] == nil {
            added.append(
                Entry(type: item.typeKey, graphId: item.graphId, displayName: item.displayName, changedFields: nil))
        }
        for (itemKey, item) in oldItems where newItems[itemKey] == nil {
            removed.append(
                Entry(type: item.typeKey, graphId: item.graphId, displayName: item.displayName, changedFields: nil))
        }
        for (itemKey, newItem) in newItems {
            guard let oldItem = oldItems[itemKey] else { continue }
            if oldItem.sha256 == newItem.sha256 {
                unchanged += 1
                continue
            }
            let volatile = registry.type(forKey: newItem.typeKey)?.volatileFields ?? []
            let before = normalized(try await store.payload(sha256: oldItem.sha256) ?? .null, volatile: volatile)
            let after = normalized(try await store.payload(sha256: newItem.sha256) ?? .null, volatile: volatile)
            let fields = differingFields(before, after)
            if fields.isEmpty {
                unchanged += 1
            } else {
                changed.append(
                    Entry(
                        type: newItem.typeKey, graphId: newItem.graphId, displayName: newItem.displayName,
                        changedFields: fields))
            }
        }
        let order: (Entry, Entry) -> Bool = {
            ($0.type, $0.displayName, $0.graphId) < ($1.type, $1.displayName, $1.graphId)
        }
        return BackupDiff(
            from: from, to: to, added: added.sorted(by: order), removed: removed.sorted(by: order),
            changed: changed.sorted(by: order), unchanged: unchanged)
    }

    /// The payload without volatile fields and with every array in a canonical order.
    static func normalized(_ payload: JSONValue, volatile: [String]) -> JSONValue {
        sortArrays(VolatileFields.stripped(payload, fields: volatile))
    }

    private static func sortArrays(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(object.mapValues(sortArrays))
        case .array(let items):
            let sorted = items.map(sortArrays).map { ($0, $0.canonicalData()) }
                .sorted { $0.1.lexicographicallyPrecedes($1.1) }
            return .array(sorted.map(\.0))
        default:
            return value
        }
    }

    private static func differingFields(_ before: JSONValue, _ after: JSONValue) -> [String] {
        guard case .object(let old) = before, case .object(let new) = after else {
            return before == after ? [] : ["(payload)"]
        }
        return Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }
}
