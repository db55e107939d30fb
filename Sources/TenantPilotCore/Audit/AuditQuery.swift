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
            let names = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0.name) })
            return try tx.audit.list(
                tenantId: tenantId, action: action.map(AuditActionFilter.init(parsing:)), limit: limit
            )
            .map { entry in AuditEntryDocument(entry, tenantName: entry.tenantId.flatMap { names[$0] }) }
        }
    }
}
