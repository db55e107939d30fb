import Foundation
import GRDB

/// One row of `audit_logs` (SPEC §8). Metadata never holds a secret: callers pass counts,
/// names and codes, never credentials.
public struct AuditEntry: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_logs"

    public var id: Int64?
    public var createdAt: String
    public var actor: String
    public var tenantId: Int64?
    public var action: String
    public var resourceType: String
    public var resourceId: String?
    public var status: String
    /// JSON object text.
    public var metadata: String

    enum CodingKeys: String, CodingKey {
        case id, actor, action, status, metadata
        case createdAt = "created_at"
        case tenantId = "tenant_id"
        case resourceType = "resource_type"
        case resourceId = "resource_id"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Writes audit entries inside the caller's transaction, so an action and its audit entry
/// land together or not at all.
public enum AuditLog {
    /// Records one entry. `metadata` values must be JSON-encodable plain values.
    public static func record(
        _ db: Database, at instant: Date, actor: String, tenantId: Int64?, action: String,
        resourceType: String, resourceId: String?, status: String = "success",
        metadata: [String: JSONValue] = [:]
    ) throws {
        var entry = AuditEntry(
            id: nil, createdAt: ISO8601.string(instant), actor: actor, tenantId: tenantId,
            action: action, resourceType: resourceType, resourceId: resourceId, status: status,
            metadata: String(decoding: JSONValue.object(metadata).canonicalData(), as: UTF8.self))
        try entry.insert(db)
    }
}
