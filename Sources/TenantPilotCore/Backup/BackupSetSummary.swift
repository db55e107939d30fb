/// A finished backup set (`complete` or `partial`) as listings show it. Sets still being
/// written never appear as a summary.
public struct BackupSetSummary: Sendable, Hashable {
    public var id: Int64
    public var tenantId: Int64
    public var tenantName: String
    /// The schedule that made the set; nil for a set made by hand.
    public var scheduleId: Int64?
    public var scheduleName: String?
    /// The schedule was removed (`backup_schedules.removed_at` set); its sets stay.
    public var scheduleRemoved: Bool
    public var runId: Int64?
    public var status: BackupSetOutcome
    public var itemCount: Int
    public var createdAt: Instant
    public var completedAt: Instant?
    /// When the set was pinned (kept by every retention rule); nil when it is not.
    public var pinnedAt: Instant?
    public var pinNote: String?
    /// The set's tenant was removed (its backups are kept until purged).
    public var tenantRemoved: Bool

    public init(
        id: Int64, tenantId: Int64, tenantName: String, scheduleId: Int64?, scheduleName: String?,
        scheduleRemoved: Bool, runId: Int64?, status: BackupSetOutcome, itemCount: Int,
        createdAt: Instant, completedAt: Instant?, pinnedAt: Instant? = nil, pinNote: String? = nil,
        tenantRemoved: Bool = false
    ) {
        self.id = id
        self.tenantId = tenantId
        self.tenantName = tenantName
        self.scheduleId = scheduleId
        self.scheduleName = scheduleName
        self.scheduleRemoved = scheduleRemoved
        self.runId = runId
        self.status = status
        self.itemCount = itemCount
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.pinnedAt = pinnedAt
        self.pinNote = pinNote
        self.tenantRemoved = tenantRemoved
    }

    public var pinned: Bool { pinnedAt != nil }
}
