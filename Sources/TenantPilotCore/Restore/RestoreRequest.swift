import Foundation

/// What `restore SET_ID` was asked: the set, the target, which of its policies, and how.
public struct RestoreRequest: Sendable, Hashable {
    public var setId: Int64
    /// Target tenant name (`--to`); nil: the tenant the set came from.
    public var to: String?
    /// Type keys (`--types`, `all` for every key); nil: every type in the set.
    public var types: [String]?
    /// Graph ids of the set's policies (`--policy`); empty: all.
    public var policies: [String]
    /// `--no-assignments` turns this off.
    public var includeAssignments: Bool
    /// `--prune`: also delete target policies of the restored types that the set does not hold.
    public var prune: Bool

    public init(
        setId: Int64, to: String? = nil, types: [String]? = nil, policies: [String] = [],
        includeAssignments: Bool = true,
        prune: Bool = false
    ) {
        self.setId = setId
        self.to = to
        self.types = types
        self.policies = policies
        self.includeAssignments = includeAssignments
        self.prune = prune
    }
}

/// A request checked against the store and the registry, before Graph is asked anything: every
/// fault of the request itself (unknown set, tenant, type key or policy) is found here.
public struct RestoreScope: Sendable {
    public let setId: Int64
    /// The tenant the set came from; nil when it has been removed.
    public let source: Tenant?
    public let target: Tenant
    /// The set's policies being restored, with their payloads.
    let items: [(record: BackupItemRecord, payload: JSONValue)]
    /// Every item of the set (names of filters, scope tags and referenced policies).
    let allItems: [BackupItemRecord]
    /// Types of `items`, in registry order.
    let types: [PolicyType]
    /// Type keys of `items` that the registry does not know.
    let unknownTypes: [String]
    public let includeAssignments: Bool
    public let prune: Bool

    /// Whether the set goes into a tenant other than the one it came from.
    public var crossTenant: Bool { source?.rowID != target.rowID }

    /// Checks `request`: an unknown set, target tenant, type key or policy id is bad input
    /// (exit 2) naming the value; nothing is written.
    public static func resolve(
        _ request: RestoreRequest, store: Store, registry: PolicyTypeRegistry
    ) async throws(TenantPilotError) -> RestoreScope {
        if request.prune && !request.policies.isEmpty {
            throw .invalid(
                "--prune cannot be combined with --policy: pruning deletes every policy of a type that the set does not hold"
            )
        }
        var wanted: Set<String>?
        if let keys = request.types {
            if keys.contains("all") {
                wanted = Set(registry.keys)
            } else {
                for key in keys where registry.type(forKey: key) == nil {
                    let hint = registry.suggestions(for: key).joined(separator: ", ")
                    throw .invalid(
                        "--types: unknown policy type \"\(key)\" (did you mean: \(hint)? see `tenantpilot policy-types list`)"
                    )
                }
                wanted = Set(keys)
            }
        }
        let sets = BackupSetStore(store: store)
        guard let detail = try await sets.set(id: request.setId) else {
            throw .notFound("no backup set with id \(request.setId); see `tenantpilot backups list`")
        }
        let sourceId = detail.summary.tenantId
        let source = try await store.read { tx in try tx.tenants.find(id: sourceId) }
        let target: Tenant
        if let name = request.to {
            target = try await TenantService(store: store).find(named: name)
        } else if let source {
            target = source
        } else {
            throw .invalid(
                "backup set \(request.setId) came from tenant \(detail.summary.tenantName), which has been removed; name a target with --to"
            )
        }

        var selected = detail.items.filter { wanted?.contains($0.typeKey) ?? true }
        if !request.policies.isEmpty {
            for id in request.policies where !selected.contains(where: { $0.graphId == id }) {
                throw .invalid(
                    "--policy: backup set \(request.setId) holds no policy with Graph id \(id)\(wanted == nil ? "" : " of the types asked for")"
                )
            }
            let ids = Set(request.policies)
            selected = selected.filter { ids.contains($0.graphId) }
        }
        var items: [(record: BackupItemRecord, payload: JSONValue)] = []
        for record in selected {
            guard let payload = try await sets.payload(sha256: record.sha256) else {
                throw .failed(
                    "backup set \(request.setId) lacks the payload of \(record.typeKey) \(record.graphId)",
                    code: .storeCorrupt)
            }
            items.append((record, payload))
        }
        let keys = Set(selected.map(\.typeKey))
        return RestoreScope(
            setId: request.setId, source: source, target: target, items: items, allItems: detail.items,
            types: registry.types.filter { keys.contains($0.key) },
            unknownTypes: keys.filter { registry.type(forKey: $0) == nil }.sorted(),
            includeAssignments: request.includeAssignments, prune: request.prune)
    }
}
