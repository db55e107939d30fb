import Foundation

/// One row of `audit_logs` (docs/cli.md). Metadata never holds a secret: callers pass counts,
/// names and codes, never credentials.
public struct AuditEntry: Sendable, Equatable {
    /// `status` of an entry whose action succeeded.
    public static let success = "success"

    public var id: Int64?
    public var createdAt: Instant
    public var actor: String
    public var tenantId: Int64?
    public var action: AuditAction
    public var resourceType: AuditResource
    public var resourceId: String?
    /// `success`, or a run's or set's status (`partial`, `failed`, …).
    public var status: String
    /// A JSON object of plain values.
    public var metadata: JSONValue

    public init(
        id: Int64? = nil, at instant: Date, actor: String, tenantId: Int64?, action: AuditAction,
        resourceType: AuditResource,
        resourceId: String?, status: String = AuditEntry.success, metadata: [String: JSONValue] = [:]
    ) {
        self.init(
            id: id, createdAt: Instant(instant), actor: actor, tenantId: tenantId, action: action,
            resourceType: resourceType,
            resourceId: resourceId, status: status, metadata: .object(metadata))
    }

    public init(
        id: Int64?, createdAt: Instant, actor: String, tenantId: Int64?, action: AuditAction,
        resourceType: AuditResource,
        resourceId: String?, status: String, metadata: JSONValue
    ) {
        self.id = id
        self.createdAt = createdAt
        self.actor = actor
        self.tenantId = tenantId
        self.action = action
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.status = status
        self.metadata = metadata
    }
}

/// Which actions `audit list --action` asks for.
public enum AuditActionFilter: Sendable, Equatable {
    /// Exactly this action.
    case exact(String)
    /// Every action starting with this prefix (`backup_schedule.`).
    case family(String)

    /// `backup_schedule.` or `backup_schedule.*` is the family; anything else one action.
    public init(parsing text: String) {
        if text.hasSuffix(".*") {
            self = .family(String(text.dropLast()))
        } else if text.hasSuffix(".") {
            self = .family(text)
        } else {
            self = .exact(text)
        }
    }
}
