/// A notification as `notifications list --json` prints it.
public struct NotificationDocument: Encodable, Sendable {
    public let id: Int64
    public let actor: String
    public let type: UserNotification.Kind
    @Nullable public var runId: Int64?
    public let status: String
    public let message: String
    public let createdAt: Instant
    public let read: Bool
    @Nullable public var readAt: Instant?

    public init(_ notification: UserNotification) {
        id = notification.id ?? 0
        actor = notification.actor
        type = notification.type
        runId = notification.runId
        status = notification.status
        message = notification.message
        createdAt = notification.createdAt
        read = notification.readAt != nil
        readAt = notification.readAt
    }
}
