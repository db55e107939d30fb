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
            let tenants = try tx.tenants.all()
            var tenantId: Int64?
            if let tenantName {
                guard let tenant = tenants.first(where: { $0.name == tenantName }) else {
                    throw TenantPilotError.tenantNotFound(tenantName, among: tenants.map(\.name))
                }
                tenantId = tenant.id
            }
            let names = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0.name) })
            return try tx.audit.list(
                tenantId: tenantId, action: action.map(AuditActionFilter.init(parsing:)), limit: limit
            )
            .map { entry in AuditEntryDocument(entry, tenantName: entry.tenantId.flatMap { names[$0] }) }
        }
    }
}
