/// Every statement on `policies`.
struct PostgreSQLPolicyTable: PolicyTable {
    let connection: PostgreSQLConnection

    func known(tenantId: Int64, type: String) throws -> [String: KnownPolicy] {
        var known: [String: KnownPolicy] = [:]
        for row in try connection.rows(
            "SELECT graph_id, summary_sha256, gone_at FROM policies WHERE tenant_id = $1 AND policy_type = $2",
            [tenantId, type])
        {
            known[try row.string("graph_id")] = KnownPolicy(
                summarySha256: try row.optionalString("summary_sha256"), gone: try row.optionalString("gone_at") != nil)
        }
        return known
    }

    func recordSeen(
        tenantId: Int64, type: String, graphId: String, displayName: String, summarySha256: String, at instant: Instant
    ) throws {
        try connection.execute(
            """
            INSERT INTO policies (tenant_id, policy_type, graph_id, display_name, summary_sha256, first_seen_at, last_seen_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (tenant_id, policy_type, graph_id) DO UPDATE SET
                display_name = excluded.display_name, summary_sha256 = excluded.summary_sha256,
                last_seen_at = excluded.last_seen_at, gone_at = NULL
            """, [tenantId, type, graphId, displayName, summarySha256, instant])
    }

    func markGone(tenantId: Int64, type: String, graphId: String, at instant: Instant) throws {
        try connection.execute(
            "UPDATE policies SET gone_at = $1 WHERE tenant_id = $2 AND policy_type = $3 AND graph_id = $4",
            [instant, tenantId, type, graphId])
    }

    func deleteAll(ofTenant tenantId: Int64) throws -> Int {
        try connection.execute("DELETE FROM policies WHERE tenant_id = $1", [tenantId])
    }
}
