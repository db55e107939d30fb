/// `tenants`: registered tenants. A removed tenant's row stays (its kept backups, runs and audit
/// entries name it); only the lookups that say so find it.
public protocol TenantTable {
    /// Inserts a tenant; returns it with its id.
    func insert(_ tenant: Tenant) throws -> Tenant
    /// Writes every column of an edited tenant.
    func update(_ tenant: Tenant) throws
    /// Marks a tenant removed (a removed one keeps its first `removed_at`).
    func markRemoved(_ id: Int64, at instant: Instant) throws
    /// Marks a tenant purged (and removed, if it was not yet).
    func markPurged(_ id: Int64, at instant: Instant) throws
    /// A tenant by id, removed or not.
    func find(id: Int64) throws -> Tenant?
    /// Tenants by id, removed or not.
    func find(ids: Set<Int64>) throws -> [Tenant]
    /// The tenant with this name that is not removed.
    func named(_ name: String) throws -> Tenant?
    /// The most recently added removed tenant with this name.
    func removed(named name: String) throws -> Tenant?
    /// The tenants that are not removed and have this tenant id and client id, by id.
    func sameApplication(tenantGuid: String, clientId: String) throws -> [Tenant]
    /// Every tenant that is not removed, by name.
    func all() throws -> [Tenant]
    /// Every tenant, with the removed ones when asked, by name then id.
    func all(includingRemoved: Bool) throws -> [Tenant]
}

extension TenantTable {
    /// The tenant named `name` that is not removed, or the not-found error every command gives for
    /// it (which says so when a tenant of that name was removed).
    public func require(named name: String) throws -> Tenant {
        guard let tenant = try named(name) else {
            if let removed = try removed(named: name), let removedAt = removed.removedAt {
                throw TenantPilotError.notFound(
                    "tenant \"\(name)\" was removed on \(removedAt); see `tenantpilot tenants show \(name)`")
            }
            throw TenantPilotError.tenantNotFound(name, among: try all().map(\.name))
        }
        return tenant
    }

    /// The tenant named `name` for reading its history: the one that is not removed, else the most
    /// recently added removed one.
    public func requireWithHistory(named name: String) throws -> Tenant {
        if let tenant = try named(name) ?? removed(named: name) { return tenant }
        throw TenantPilotError.tenantNotFound(name, among: try all(includingRemoved: true).map(\.name))
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
