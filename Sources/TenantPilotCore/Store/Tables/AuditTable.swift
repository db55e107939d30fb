import Foundation

/// `audit_logs`: who did what (docs/cli.md). Written inside the transaction of the action it
/// records, so both land or neither.
public protocol AuditTable {
    func record(_ entry: AuditEntry) throws
    /// Newest first.
    func list(tenantId: Int64?, action: AuditActionFilter?, limit: Int) throws -> [AuditEntry]
    /// How many entries name this tenant.
    func count(tenantId: Int64) throws -> Int
    /// The distinct actions of the entries there are (through the index on `action`).
    func actions() throws -> [AuditAction]
}

extension AuditTable {
    /// Records one entry. `metadata` values must be plain values, never a secret.
    public func record(
        at instant: Date, actor: String, tenantId: Int64?, action: AuditAction, resource: AuditResource,
        resourceId: String?, status: String = AuditEntry.success, metadata: [String: JSONValue] = [:]
    ) throws {
        try record(
            AuditEntry(
                at: instant, actor: actor, tenantId: tenantId, action: action, resourceType: resource,
                resourceId: resourceId,
                status: status, metadata: metadata))
    }
}
