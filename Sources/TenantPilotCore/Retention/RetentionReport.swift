/// The result of `RetentionService.apply`: one entry per schedule considered. With `dryRun`
/// it says what would be deleted; nothing was changed.
public struct RetentionReport: Sendable, Hashable, Encodable {
    public var dryRun: Bool
    public var schedules: [RetentionScheduleReport]
    /// Database pages given back to the file system by incremental vacuum (0 in a dry run).
    public var pagesReclaimed: Int

    public init(dryRun: Bool, schedules: [RetentionScheduleReport], pagesReclaimed: Int) {
        self.dryRun = dryRun
        self.schedules = schedules
        self.pagesReclaimed = pagesReclaimed
    }

    public var setsDeleted: Int { schedules.reduce(0) { $0 + $1.setsDeleted } }
    public var payloadsRemoved: Int { schedules.reduce(0) { $0 + $1.payloadsRemoved } }
    public var bytesFreed: Int64 { schedules.reduce(0) { $0 + $1.bytesFreed } }

    enum CodingKeys: String, CodingKey {
        case dryRun, schedules, pagesReclaimed
    }
}
