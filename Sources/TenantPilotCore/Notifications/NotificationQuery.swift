import Foundation
import GRDB

/// A notification as `notifications list --json` prints it.
public struct NotificationDocument: Encodable, Sendable {
    public let id: Int64
    public let actor: String
    public let type: String
    public let run_id: Int64?
    public let status: String
    public let message: String
    public let created_at: String
    public let read: Bool
    public let read_at: String?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(actor, forKey: .actor)
        try container.encode(type, forKey: .type)
        try container.encode(run_id, forKey: .run_id)
        try container.encode(status, forKey: .status)
        try container.encode(message, forKey: .message)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(read, forKey: .read)
        try container.encode(read_at, forKey: .read_at)
    }

    enum CodingKeys: String, CodingKey {
        case id, actor, type, run_id, status, message, created_at, read, read_at
    }
}

/// Reads notifications, newest first.
public struct NotificationQuery: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func list(actor: String?, unreadOnly: Bool, limit: Int = 1000) throws(TenantPilotError) -> [NotificationDocument] {
        try store.read { db in
            var request = UserNotification.order(Column("id").desc).limit(limit)
            if let actor { request = request.filter(Column("actor") == actor) }
            if unreadOnly { request = request.filter(Column("read_at") == nil) }
            return try request.fetchAll(db).map {
                NotificationDocument(
                    id: $0.id ?? 0, actor: $0.actor, type: $0.type, run_id: $0.runId, status: $0.status,
                    message: $0.message, created_at: $0.createdAt, read: $0.readAt != nil, read_at: $0.readAt)
            }
        }
    }
}
