/// A row of `backup_sets`: one set of captured policies, `building` while its run writes it.
public struct BackupSet: Sendable, Equatable {
    public var id: Int64
    public var tenantId: Int64
    /// The schedule that made the set; nil for a set made by hand.
    public var scheduleId: Int64?
    public var runId: Int64?
    public var status: BackupSetStatus
    public var itemCount: Int
    public var createdAt: Instant
    public var completedAt: Instant?
    /// When the set was pinned (kept by every retention rule); nil when it is not.
    public var pinnedAt: Instant?
    public var pinNote: String?

    public init(
        id: Int64, tenantId: Int64, scheduleId: Int64?, runId: Int64?, status: BackupSetStatus, itemCount: Int,
        createdAt: Instant, completedAt: Instant?, pinnedAt: Instant? = nil, pinNote: String? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.scheduleId = scheduleId
        self.runId = runId
        self.status = status
        self.itemCount = itemCount
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.pinnedAt = pinnedAt
        self.pinNote = pinNote
    }

    public var pinned: Bool { pinnedAt != nil }
}
