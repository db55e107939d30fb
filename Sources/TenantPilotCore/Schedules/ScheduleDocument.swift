import Foundation

/// A schedule as `--json` prints it (docs/cli.md), with its next slot in UTC and local time.
public struct ScheduleDocument: Encodable, Sendable {
    public let id: Int64
    public let tenant: String
    public let name: String
    public let enabled: Bool
    public let timezone: String
    public let timetable: Timetable
    public let timetableSummary: String
    public let policyTypes: [String]
    /// The keep-last rule in force: the one given, 30 when the schedule has no rule at all, null
    /// when it has calendar rules only.
    @Nullable public var keepLast: Int?
    @Nullable public var keepDaily: Int?
    @Nullable public var keepWeekly: Int?
    @Nullable public var keepMonthly: Int?
    @Nullable public var keepYearly: Int?
    /// The rules in one line: `last 30`, `daily 7, weekly 4, monthly 12, yearly 3`.
    public let retention: String
    @Nullable public var nextRunAt: Instant?
    @Nullable public var nextRunLocal: String?
    @Nullable public var nextRunUtcOffset: String?
    @Nullable public var lastRunAt: Instant?
    @Nullable public var lastRunStatus: BackupRun.Status?
    public let createdAt: Instant
    public let updatedAt: Instant
    public let removed: Bool
    @Nullable public var removedAt: Instant?

    public init(_ schedule: BackupSchedule, tenant: Tenant) {
        id = schedule.rowID
        self.tenant = tenant.name
        name = schedule.name
        enabled = schedule.enabled
        timezone = schedule.timezone
        timetable = schedule.timetable
        timetableSummary = schedule.timetable.summary
        policyTypes = schedule.policyTypes
        keepLast = schedule.retention.effectiveKeepLast
        keepDaily = schedule.retention.keepDaily
        keepWeekly = schedule.retention.keepWeekly
        keepMonthly = schedule.retention.keepMonthly
        keepYearly = schedule.retention.keepYearly
        retention = schedule.retention.summary
        nextRunAt = schedule.nextRunAt
        let zone = TimeZone(identifier: schedule.timezone)
        let next = schedule.nextRunAt?.date
        nextRunLocal = zip(next, zone).map { SlotFormatter.local($0, in: $1) }
        nextRunUtcOffset = zip(next, zone).map { SlotFormatter.utcOffset($0, in: $1) }
        lastRunAt = schedule.lastRunAt
        lastRunStatus = schedule.lastRunStatus
        createdAt = schedule.createdAt
        updatedAt = schedule.updatedAt
        removed = schedule.removedAt != nil
        removedAt = schedule.removedAt
    }
}

/// One slot as `schedules next --json` prints it.
public struct SlotDocument: Encodable, Sendable {
    public let utc: Instant
    public let local: String
    public let utcOffset: String

    public init(_ slot: Date, zone: TimeZone) {
        utc = Instant(slot).minute
        local = SlotFormatter.local(slot, in: zone)
        utcOffset = SlotFormatter.utcOffset(slot, in: zone)
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
