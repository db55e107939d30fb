/// An audit entry as `audit list --json` prints it.
public struct AuditEntryDocument: Encodable, Sendable {
    public let id: Int64
    public let createdAt: Instant
    public let actor: String
    @Nullable public var tenant: String?
    public let action: AuditAction
    public let resourceType: AuditResource
    @Nullable public var resourceId: String?
    public let status: String
    public let metadata: JSONValue

    public init(_ entry: AuditEntry, tenantName: String?) {
        id = entry.id ?? 0
        createdAt = entry.createdAt
        actor = entry.actor
        tenant = tenantName
        action = entry.action
        resourceType = entry.resourceType
        resourceId = entry.resourceId
        status = entry.status
        metadata = entry.metadata
    }
}
