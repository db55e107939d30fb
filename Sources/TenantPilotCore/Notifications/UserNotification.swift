/// One row of `notifications` (docs/cli.md): what an interactive run or retry tells its actor.
public struct UserNotification: Sendable, Equatable {
    /// What the notification is about.
    public struct Kind: StringConstant {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let runCompleted = Kind(rawValue: "backup_schedule.run_completed")
        public static let retryCompleted = Kind(rawValue: "backup_schedule.retry_completed")
    }

    public var id: Int64?
    public var actor: String
    public var type: Kind
    public var runId: Int64?
    /// The run's status when it ended.
    public var status: String
    public var message: String
    public var createdAt: Instant
    public var readAt: Instant?

    public init(
        id: Int64? = nil, actor: String, type: Kind, runId: Int64?, status: String, message: String, createdAt: Instant,
        readAt: Instant? = nil
    ) {
        self.id = id
        self.actor = actor
        self.type = type
        self.runId = runId
        self.status = status
        self.message = message
        self.createdAt = createdAt
        self.readAt = readAt
    }
}
