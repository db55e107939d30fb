import PostgresNIO

/// Every statement on `audit_logs`.
struct PostgreSQLAuditTable: AuditTable {
    let connection: PostgreSQLConnection

    func record(_ entry: AuditEntry) throws {
        try connection.execute(
            """
            INSERT INTO audit_logs (created_at, actor, tenant_id, action, resource_type, resource_id, status, metadata)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [
                entry.createdAt, entry.actor, entry.tenantId, entry.action, entry.resourceType, entry.resourceId,
                entry.status, JSONColumn.text(entry.metadata),
            ])
    }

    func list(tenantId: Int64?, action: AuditActionFilter?, limit: Int) throws -> [AuditEntry] {
        var conditions: [String] = []
        var values: [any PostgreSQLValue] = []
        if let tenantId {
            values.append(tenantId)
            conditions.append("tenant_id = $\(values.count)")
        }
        switch action {
        case .exact(let action)?:
            values.append(action)
            conditions.append("action = $\(values.count)")
        case .family(let prefix)?:
            // SQLite's LIKE ignores the case of ASCII letters; ILIKE does too.
            let escaped = prefix.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            values.append(escaped + "%")
            conditions.append("action ILIKE $\(values.count) ESCAPE '\\'")
        case nil:
            break
        }
        values.append(limit)
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try connection.rows(
            """
            SELECT id, created_at, actor, tenant_id, action, resource_type, resource_id, status, metadata
            FROM audit_logs\(filter) ORDER BY id DESC LIMIT $\(values.count)
            """, values
        ).map(Self.entry)
    }

    func count(tenantId: Int64) throws -> Int {
        try connection.row("SELECT count(*) AS entries FROM audit_logs WHERE tenant_id = $1", [tenantId])?.int(
            "entries")
            ?? 0
    }

    func actions() throws -> [AuditAction] {
        try connection.rows("SELECT DISTINCT action FROM audit_logs ORDER BY action").map {
            AuditAction(rawValue: try $0.string("action"))
        }
    }

    static func entry(_ row: PostgresRandomAccessRow) throws -> AuditEntry {
        AuditEntry(
            id: try row.int64("id"), createdAt: try row.instant("created_at"), actor: try row.string("actor"),
            tenantId: try row.optionalInt64("tenant_id"), action: AuditAction(rawValue: try row.string("action")),
            resourceType: AuditResource(rawValue: try row.string("resource_type")),
            resourceId: try row.optionalString("resource_id"), status: try row.string("status"),
            metadata: JSONColumn.object(try row.string("metadata")))
    }
}
