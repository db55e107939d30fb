import PostgresNIO

/// Every statement on `tenants`.
struct PostgreSQLTenantTable: TenantTable {
    let connection: PostgreSQLConnection

    static let columns = """
        id, name, tenant_guid, client_id, secret_env, secret_file, graph_url, authority_url, created_at,
        certificate_file, private_key_file
        """

    func insert(_ tenant: Tenant) throws -> Tenant {
        var inserted = tenant
        let row = try connection.row(
            """
            INSERT INTO tenants (id, name, tenant_guid, client_id, secret_env, secret_file, graph_url, authority_url,
                                 created_at, certificate_file, private_key_file)
            VALUES (coalesce($1, nextval(pg_get_serial_sequence('tenants', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9,
                    $10, $11)
            RETURNING id
            """,
            [
                tenant.id, tenant.name, tenant.tenantGuid, tenant.clientId, tenant.secretEnv, tenant.secretFile,
                tenant.graphURL, tenant.authorityURL, tenant.createdAt, tenant.certificateFile, tenant.privateKeyFile,
            ])
        inserted.id = try row?.int64("id")
        return inserted
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
        try connection.row("SELECT \(Self.columns) FROM tenants WHERE name = $1", [name]).map(Self.tenant)
    }

    func all() throws -> [Tenant] {
        try connection.rows("SELECT \(Self.columns) FROM tenants ORDER BY name").map(Self.tenant)
    }

    static func tenant(_ row: PostgresRandomAccessRow) throws -> Tenant {
        Tenant(
            id: try row.int64("id"), name: try row.string("name"), tenantGuid: try row.string("tenant_guid"),
            clientId: try row.string("client_id"), secretEnv: try row.optionalString("secret_env"),
            secretFile: try row.optionalString("secret_file"), graphURL: try row.string("graph_url"),
            authorityURL: try row.string("authority_url"), createdAt: try row.instant("created_at"),
            certificateFile: try row.optionalString("certificate_file"),
            privateKeyFile: try row.optionalString("private_key_file"))
    }
}
