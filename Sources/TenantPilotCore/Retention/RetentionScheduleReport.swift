/// Retention of one schedule: every finished set it made, kept or deleted with the reason,
/// and what deleting gave back.
public struct RetentionScheduleReport: Sendable, Hashable, Encodable {
    public var scheduleId: Int64
    public var tenantId: Int64
    public var tenantName: String
    public var scheduleName: String
    public var keepLast: Int
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
        scheduleId: Int64, tenantId: Int64, tenantName: String, scheduleName: String, keepLast: Int,
        scheduleRemoved: Bool, sets: [RetentionDecision], setsDeleted: Int, payloadsRemoved: Int, bytesFreed: Int64
    ) {
        self.scheduleId = scheduleId
        self.tenantId = tenantId
        self.tenantName = tenantName
        self.scheduleName = scheduleName
        self.keepLast = keepLast
        self.scheduleRemoved = scheduleRemoved
        self.sets = sets
        self.setsDeleted = setsDeleted
        self.payloadsRemoved = payloadsRemoved
        self.bytesFreed = bytesFreed
    }

    enum CodingKeys: String, CodingKey {
        case scheduleId, tenantId, scheduleName, keepLast, scheduleRemoved, sets, setsDeleted, payloadsRemoved,
            bytesFreed
        /// The tenant's name goes out as `tenant`, as in every other document.
        case tenantName = "tenant"
    }
}
