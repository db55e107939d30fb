/// `tenants`: registered tenants.
public protocol TenantTable {
    /// Inserts a tenant; returns it with its id.
    func insert(_ tenant: Tenant) throws -> Tenant
    func find(id: Int64) throws -> Tenant?
    func find(ids: Set<Int64>) throws -> [Tenant]
    func named(_ name: String) throws -> Tenant?
    /// Every tenant, by name.
    func all() throws -> [Tenant]
}

extension TenantTable {
    /// The tenant named `name`, or the not-found error every command gives for it.
    public func require(named name: String) throws -> Tenant {
        guard let tenant = try named(name) else {
            throw TenantPilotError.tenantNotFound(name, among: try all().map(\.name))
        }
        return tenant
    }
}

extension TenantPilotError {
    /// No tenant has this name (exit 2).
    public static func tenantNotFound(_ name: String) -> TenantPilotError {
        .notFound("no tenant named \"\(PlainText.escaped(name))\"; see `tenantpilot tenants list`")
    }

    /// No tenant has this name; the nearest of `names` is suggested when it looks like a typo.
    public static func tenantNotFound(_ name: String, among names: [String]) -> TenantPilotError {
        .notFound(
            "no tenant named \"\(PlainText.escaped(name))\"\(Suggestion.clause(for: name, among: names)); "
                + "see `tenantpilot tenants list`")
    }
}
