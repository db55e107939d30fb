/// A backup schedule (a row of `backup_schedules`): which policy types of which tenant to back
/// up, on what timetable in which IANA zone, and which sets to keep. `nextRunAt` is its next
/// slot, kept in the store so that dispatch finds due schedules through an index.
public struct BackupSchedule: Sendable, Equatable {
    public static let defaultKeepLast = RetentionPolicy.defaultKeepLast

    public var id: Int64?
    public var tenantId: Int64
    public var name: String
    public var enabled: Bool
    /// The IANA zone as the user named it (Foundation reports `UTC` as `GMT`).
    public var timezone: String
    public var timetable: Timetable
    /// Policy-type keys, possibly including keys the registry no longer knows.
    public var policyTypes: [String]
    /// Which sets retention keeps (`keep_last`, `keep_daily`, …).
    public var retention: RetentionPolicy
    public var nextRunAt: Instant?
    public var lastRunAt: Instant?
    public var lastRunStatus: BackupRun.Status?
    public var createdAt: Instant
    public var updatedAt: Instant
    public var removedAt: Instant?

    public init(
        id: Int64? = nil, tenantId: Int64, name: String, enabled: Bool, timezone: String, timetable: Timetable,
        policyTypes: [String], retention: RetentionPolicy, nextRunAt: Instant?, lastRunAt: Instant? = nil,
        lastRunStatus: BackupRun.Status? = nil, createdAt: Instant, updatedAt: Instant, removedAt: Instant? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.enabled = enabled
        self.timezone = timezone
        self.timetable = timetable
        self.policyTypes = policyTypes
        self.retention = retention
        self.nextRunAt = nextRunAt
        self.lastRunAt = lastRunAt
        self.lastRunStatus = lastRunStatus
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.removedAt = removedAt
    }

    public var rowID: Int64 { id ?? 0 }

    public var isRemoved: Bool { removedAt != nil }

    /// The keep-last rule in force (30 when the schedule has no rule at all).
    public var keepLast: Int? { retention.effectiveKeepLast }
}

/// What retention needs of a schedule, read without its timetable (so that a row with an
/// unreadable timetable still has its sets kept or pruned).
public struct RetentionSubject: Sendable, Equatable {
    public var scheduleId: Int64
    public var tenantId: Int64
    public var tenantName: String
    public var scheduleName: String
    public var policy: RetentionPolicy
    /// The schedule's zone, in which the calendar rules count days.
    public var timezone: String
    public var removed: Bool

    public init(
        scheduleId: Int64, tenantId: Int64, tenantName: String, scheduleName: String, policy: RetentionPolicy,
        timezone: String, removed: Bool
    ) {
        self.scheduleId = scheduleId
        self.tenantId = tenantId
        self.tenantName = tenantName
        self.scheduleName = scheduleName
        self.policy = policy
        self.timezone = timezone
        self.removed = removed
    }
}

/// A schedule as `doctor` looks at it: its `TENANT/NAME`, whether it runs, its types and its
/// next slot, read without its timetable.
public struct ScheduleOverview: Sendable, Equatable {
    public var label: String
    public var enabled: Bool
    public var policyTypes: [String]
    public var nextRunAt: Instant?

    public init(label: String, enabled: Bool, policyTypes: [String], nextRunAt: Instant?) {
        self.label = label
        self.enabled = enabled
        self.policyTypes = policyTypes
        self.nextRunAt = nextRunAt
    }
}
