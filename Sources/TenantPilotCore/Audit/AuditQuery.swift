/// Reads the audit log, newest first.
public struct AuditQuery: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func list(tenantName: String?, action: String?, limit: Int) async throws(TenantPilotError)
        -> [AuditEntryDocument]
    {
        try await store.read { tx in
            // Removed tenants too: the audit log keeps their entries, named.
            let tenants = try tx.tenants.all(includingRemoved: true)
            var tenantId: Int64?
            if let tenantName {
                tenantId = try tx.tenants.requireWithHistory(named: InputValidation.normalized(tenantName)).id
            }
            let filter = action.map(AuditActionFilter.init(parsing:))
            if let filter, let action { try Self.check(filter, action, known: try tx.audit.actions()) }
            let names = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0.name) })
            return try tx.audit.list(tenantId: tenantId, action: filter, limit: limit)
                .map { entry in AuditEntryDocument(entry, tenantName: entry.tenantId.flatMap { names[$0] }) }
        }
    }

    /// An action (or family) that this binary never writes and the store does not hold is a
    /// typo: bad input with the nearest action, not "no audit entries".
    static func check(_ filter: AuditActionFilter, _ text: String, known stored: [AuditAction]) throws(TenantPilotError)
    {
        let names = Set((AuditAction.known + stored).map(\.rawValue))
        switch filter {
        case .exact(let action) where names.contains(action):
            return
        case .family(let prefix) where names.contains(where: { $0.hasPrefix(prefix) }):
            return
        case .exact, .family:
            let families = Set(names.compactMap { $0.split(separator: ".").first.map { "\($0).*" } })
            throw .invalid(
                "--action: unknown action \"\(PlainText.escaped(text))\"\(Suggestion.clause(for: text, among: names.union(families)))"
                    + "; actions: \(names.sorted().joined(separator: ", ")), or a family such as backup_schedule.*")
        }
    }
}
