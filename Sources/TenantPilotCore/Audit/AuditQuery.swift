import Foundation
import GRDB

/// An audit entry as `audit list --json` prints it.
public struct AuditEntryDocument: Encodable, Sendable {
    public let id: Int64
    public let created_at: String
    public let actor: String
    public let tenant: String?
    public let action: String
    public let resource_type: String
    public let resource_id: String?
    public let status: String
    public let metadata: JSONValue

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(actor, forKey: .actor)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(action, forKey: .action)
        try container.encode(resource_type, forKey: .resource_type)
        try container.encode(resource_id, forKey: .resource_id)
        try container.encode(status, forKey: .status)
        try container.encode(metadata, forKey: .metadata)
    }

    enum CodingKeys: String, CodingKey {
        case id, created_at, actor, tenant, action, resource_type, resource_id, status, metadata
    }
}

/// Reads the audit log, newest first.
public struct AuditQuery: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func list(tenantName: String?, action: String?, limit: Int) throws(TenantPilotError) -> [AuditEntryDocument] {
        try store.read { db in
            let tenants = try Tenant.fetchAll(db)
            var request = AuditEntry.order(Column("id").desc).limit(limit)
            if let tenantName {
                guard let tenant = tenants.first(where: { $0.name == tenantName }) else {
                    throw TenantPilotError.notFound("no tenant named \"\(tenantName)\"; see `tenantpilot tenants list`")
                }
                request = request.filter(Column("tenant_id") == tenant.id)
            }
            if let action {
                // `backup_schedule.` or `backup_schedule.*` matches every action of that family.
                if action.hasSuffix(".*") || action.hasSuffix(".") {
                    let prefix = action.hasSuffix(".*") ? String(action.dropLast()) : action
                    request = request.filter(Column("action").like(prefix.replacingOccurrences(of: "_", with: "\\_") + "%", escape: "\\"))
                } else {
                    request = request.filter(Column("action") == action)
                }
            }
            let names = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0.name) })
            return try request.fetchAll(db).map { entry in
                AuditEntryDocument(
                    id: entry.id ?? 0, created_at: entry.createdAt, actor: entry.actor,
                    tenant: entry.tenantId.flatMap { names[$0] }, action: entry.action,
                    resource_type: entry.resourceType, resource_id: entry.resourceId, status: entry.status,
                    metadata: (try? JSONValue.parse(Data(entry.metadata.utf8))) ?? .object([:]))
            }
        }
    }
}
