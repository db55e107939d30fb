/// A backup set as `--json` prints it (docs/cli.md).
public struct BackupSetDocument: Encodable, Sendable {
    public let id: Int64
    public let tenant: String
    @Nullable public var scheduleId: Int64?
    @Nullable public var schedule: String?
    public let scheduleRemoved: Bool
    @Nullable public var runId: Int64?
    public let status: BackupSetOutcome
    public let itemCount: Int
    public let createdAt: Instant
    @Nullable public var completedAt: Instant?
    /// Pinned sets are kept by every retention rule (`backups pin`).
    public let pinned: Bool
    @Nullable public var pinnedAt: Instant?
    @Nullable public var pinNote: String?
    /// Present for `backups show` only.
    public let items: [Item]?

    /// One item of a set.
    public struct Item: Encodable, Sendable {
        public let type: String
        public let graphId: String
        public let displayName: String
        public let sha256: String
    }

    public init(_ summary: BackupSetSummary, items: [BackupItemRecord]? = nil) {
        id = summary.id
        tenant = summary.tenantName
        scheduleId = summary.scheduleId
        schedule = summary.scheduleName
        scheduleRemoved = summary.scheduleRemoved
        runId = summary.runId
        status = summary.status
        itemCount = summary.itemCount
        createdAt = summary.createdAt
        completedAt = summary.completedAt
        pinned = summary.pinned
        pinnedAt = summary.pinnedAt
        pinNote = summary.pinNote
        self.items = items?.map {
            Item(type: $0.typeKey, graphId: $0.graphId, displayName: $0.displayName, sha256: $0.sha256)
        }
    }
}
