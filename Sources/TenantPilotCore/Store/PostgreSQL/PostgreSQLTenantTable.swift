import PostgresNIO

/// Every statement on `tenants`. A removed tenant's row stays; only the lookups that say so
/// find it.
///
/// In a write transaction a tenant read by name — as every command that changes a tenant reads
/// it — is locked `FOR SHARE` until the transaction ends, so an edit, removal or purge never
/// writes back a tenant that another changed meanwhile (two at once meet in a deadlock, and the
/// one run again reads what the other wrote). A read by id (a claim reading its schedule's
/// tenant) takes no lock: the claim holds its schedule's row, which a removal also changes.
struct PostgreSQLTenantTable: TenantTable {
    let connection: PostgreSQLConnection
    /// Whether reads by name lock the row (a write transaction).
    let locksRows: Bool

    private var forShare: String { locksRows ? " FOR SHARE" : "" }

    static let columns = """
        id, name, tenant_guid, client_id, secret_env, secret_file, graph_url, authority_url, created_at,
        certificate_file, private_key_file, removed_at, purged_at
        """

    func insert(_ tenant: Tenant) throws -> Tenant {
        var inserted = tenant
        let row = try connection.row(
            """
            INSERT INTO tenants (id, name, tenant_guid, client_id, secret_env, secret_file, graph_url, authority_url,
                                 created_at, certificate_file, private_key_file, removed_at, purged_at)
            VALUES (coalesce($1, nextval(pg_get_serial_sequence('tenants', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9,
                    $10, $11, $12, $13)
            RETURNING id
            """, [tenant.id] + Self.values(tenant))
        inserted.id = try row?.int64("id")
        return inserted
    }

    func update(_ tenant: Tenant) throws {
        try connection.execute(
            """
            UPDATE tenants
            SET name = $2, tenant_guid = $3, client_id = $4, secret_env = $5, secret_file = $6, graph_url = $7,
                authority_url = $8, created_at = $9, certificate_file = $10, private_key_file = $11, removed_at = $12,
                purged_at = $13
            WHERE id = $1
            """, [tenant.rowID] + Self.values(tenant))
    }

    /// Every column but `id`, in the order of `columns`.
    private static func values(_ tenant: Tenant) -> [any PostgreSQLValue] {
        [
            tenant.name, tenant.tenantGuid, tenant.clientId, tenant.secretEnv, tenant.secretFile, tenant.graphURL,
            tenant.authorityURL, tenant.createdAt, tenant.certificateFile, tenant.privateKeyFile, tenant.removedAt,
            tenant.purgedAt,
        ]
    }

    func markRemoved(_ id: Int64, at instant: Instant) throws {
        try connection.execute(
            "UPDATE tenants SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL", [instant, id])
    }

    func markPurged(_ id: Int64, at instant: Instant) throws {
        try connection.execute(
            "UPDATE tenants SET removed_at = coalesce(removed_at, $1), purged_at = $1 WHERE id = $2", [instant, id])
    }

    func removed(named name: String) throws -> Tenant? {
        try connection.row(
            "SELECT \(Self.columns) FROM tenants WHERE name = $1 AND removed_at IS NOT NULL ORDER BY id DESC LIMIT 1"
                + forShare,
            [name]
        ).map(Self.tenant)
    }

    func sameApplication(tenantGuid: String, clientId: String) throws -> [Tenant] {
        try connection.rows(
            """
            SELECT \(Self.columns) FROM tenants
            WHERE tenant_guid = $1 AND client_id = $2 AND removed_at IS NULL ORDER BY id
            """, [tenantGuid, clientId]
        ).map(Self.tenant)
    }

    func all(includingRemoved: Bool) throws -> [Tenant] {
        if !includingRemoved { return try all() }
        return try connection.rows("SELECT \(Self.columns) FROM tenants ORDER BY name, id").map(Self.tenant)
    }

    func find(id: Int64) throws -> Tenant? {
        try connection.row("SELECT \(Self.columns) FROM tenants WHERE id = $1", [id]).map(Self.tenant)
    }

    func find(ids: Set<Int64>) throws -> [Tenant] {
        if ids.isEmpty { return [] }
        return try connection.rows(
            "SELECT \(Self.columns) FROM tenants WHERE id = ANY($1) ORDER BY id", [ids.sorted()]
        ).map(Self.tenant)
    }

    func named(_ name: String) throws -> Tenant? {
        try connection.row(
            "SELECT \(Self.columns) FROM tenants WHERE name = $1 AND removed_at IS NULL" + forShare, [name]
        ).map(Self.tenant)
    }

    func all() throws -> [Tenant] {
        try connection.rows("SELECT \(Self.columns) FROM tenants WHERE removed_at IS NULL ORDER BY name").map(
            Self.tenant)
    }

    static func tenant(_ row: PostgresRandomAccessRow) throws -> Tenant {
        Tenant(
            id: try row.int64("id"), name: try row.string("name"), tenantGuid: try row.string("tenant_guid"),
            clientId: try row.string("client_id"), secretEnv: try row.optionalString("secret_env"),
            secretFile: try row.optionalString("secret_file"), graphURL: try row.string("graph_url"),
            authorityURL: try row.string("authority_url"), createdAt: try row.instant("created_at"),
            certificateFile: try row.optionalString("certificate_file"),
            privateKeyFile: try row.optionalString("private_key_file"),
            removedAt: try row.optionalInstant("removed_at"), purgedAt: try row.optionalInstant("purged_at"))
    }
}
