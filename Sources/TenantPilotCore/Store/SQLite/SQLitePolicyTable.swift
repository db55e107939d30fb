import GRDB

/// Every statement on `policies`.
struct SQLitePolicyTable: PolicyTable {
    let db: Database

    func known(tenantId: Int64, type: String) throws -> [String: KnownPolicy] {
        var known: [String: KnownPolicy] = [:]
        let rows = try Row.fetchCursor(
            db, sql: "SELECT graph_id, summary_sha256, gone_at FROM policies WHERE tenant_id = ? AND policy_type = ?",
            arguments: [tenantId, type])
        while let row = try rows.next() {
            let goneAt: String? = try row.decode(forColumn: "gone_at")
            known[try row.decode(forColumn: "graph_id")] = KnownPolicy(
                summarySha256: try row.decode(forColumn: "summary_sha256"), gone: goneAt != nil)
        }
        return known
    }

    func recordSeen(
        tenantId: Int64, type: String, graphId: String, displayName: String, summarySha256: String, at instant: Instant
    ) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO policies (tenant_id, policy_type, graph_id, display_name, summary_sha256, first_seen_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, policy_type, graph_id) DO UPDATE SET
                    display_name = excluded.display_name, summary_sha256 = excluded.summary_sha256,
                    last_seen_at = excluded.last_seen_at, gone_at = NULL
                """)
        try statement.execute(arguments: [tenantId, type, graphId, displayName, summarySha256, instant, instant])
    }

    func markGone(tenantId: Int64, type: String, graphId: String, at instant: Instant) throws {
        let statement = try db.cachedStatement(
            sql: "UPDATE policies SET gone_at = ? WHERE tenant_id = ? AND policy_type = ? AND graph_id = ?")
        try statement.execute(arguments: [instant, tenantId, type, graphId])
    }

    func deleteAll(ofTenant tenantId: Int64) throws -> Int {
        try db.execute(sql: "DELETE FROM policies WHERE tenant_id = ?", arguments: [tenantId])
        return db.changesCount
    }
}
