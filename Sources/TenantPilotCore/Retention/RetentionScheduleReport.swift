/// Retention of one schedule: every finished set it made, kept or deleted with the rules that
/// decided it, and what deleting gave back.
public struct RetentionScheduleReport: Sendable, Hashable, Encodable {
    public var scheduleId: Int64
    public var tenantId: Int64
    public var tenantName: String
    public var scheduleName: String
    /// The schedule's rules, as given (`policy.effectiveKeepLast` is the keep-last in force).
    public var policy: RetentionPolicy
    /// The zone the calendar rules count days in.
    public var timezone: String
    /// The schedule was removed: its sets are all kept and nothing was applied.
    public var scheduleRemoved: Bool
    /// Newest first.
    public var sets: [RetentionDecision]
    public var setsDeleted: Int
    /// Payloads that no set references any more after the deletion.
    public var payloadsRemoved: Int
    /// Bytes of those payloads (the space the file gets back, page overhead aside).
    public var bytesFreed: Int64

    public init(
        scheduleId: Int64, tenantId: Int64, tenantName: String, scheduleName: String, policy: RetentionPolicy,
        timezone: String, scheduleRemoved: Bool, sets: [RetentionDecision], setsDeleted: Int, payloadsRemoved: Int,
        bytesFreed: Int64
    ) {
        self.scheduleId = scheduleId
        self.tenantId = tenantId
        self.tenantName = tenantName
        self.scheduleName = scheduleName
        self.policy = policy
        self.timezone = timezone
        self.scheduleRemoved = scheduleRemoved
        self.sets = sets
        self.setsDeleted = setsDeleted
        self.payloadsRemoved = payloadsRemoved
        self.bytesFreed = bytesFreed
    }

    /// The keep-last rule in force (30 when the schedule has no rule at all).
    public var keepLast: Int? { policy.effectiveKeepLast }

    enum CodingKeys: String, CodingKey {
        case scheduleId, tenantId, scheduleName, timezone, keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly,
            scheduleRemoved, sets, setsDeleted, payloadsRemoved, bytesFreed
        /// The tenant's name goes out as `tenant`, as in every other document.
        case tenantName = "tenant"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scheduleId, forKey: .scheduleId)
        try container.encode(tenantId, forKey: .tenantId)
        try container.encode(tenantName, forKey: .tenantName)
        try container.encode(scheduleName, forKey: .scheduleName)
        try container.encode(timezone, forKey: .timezone)
        // Every rule is printed, `null` when the schedule does not have it.
        try container.encode(policy.effectiveKeepLast, forKey: .keepLast)
        try container.encode(policy.keepDaily, forKey: .keepDaily)
        try container.encode(policy.keepWeekly, forKey: .keepWeekly)
        try container.encode(policy.keepMonthly, forKey: .keepMonthly)
        try container.encode(policy.keepYearly, forKey: .keepYearly)
        try container.encode(scheduleRemoved, forKey: .scheduleRemoved)
        try container.encode(sets, forKey: .sets)
        try container.encode(setsDeleted, forKey: .setsDeleted)
        try container.encode(payloadsRemoved, forKey: .payloadsRemoved)
        try container.encode(bytesFreed, forKey: .bytesFreed)
    }
}
