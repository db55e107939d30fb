import Foundation

/// A schedule as `--json` prints it (SPEC §3), with its next slot in UTC and local time.
public struct ScheduleDocument: Encodable, Sendable {
    public let id: Int64
    public let tenant: String
    public let name: String
    public let enabled: Bool
    public let timezone: String
    public let timetable: JSONValue
    public let timetable_summary: String
    public let policy_types: [String]
    public let keep_last: Int
    public let next_run_at: String?
    public let next_run_local: String?
    public let next_run_utc_offset: String?
    public let last_run_at: String?
    public let last_run_status: String?
    public let created_at: String
    public let updated_at: String
    public let removed: Bool
    public let removed_at: String?

    public init(_ schedule: BackupSchedule, tenant: Tenant) {
        id = schedule.rowID
        self.tenant = tenant.name
        name = schedule.name
        enabled = schedule.enabled
        timezone = schedule.timezone
        timetable = (try? JSONValue.parse(Data(schedule.timetable.utf8))) ?? .string(schedule.timetable)
        timetable_summary = (try? schedule.decodedTimetable().summary) ?? schedule.timetable
        policy_types = schedule.policyTypeKeys
        keep_last = schedule.keepLast
        next_run_at = schedule.nextRunAt
        let zone = TimeZone(identifier: schedule.timezone)
        let next = schedule.nextRunAt.flatMap(ISO8601.parse)
        next_run_local = zip(next, zone).map { SlotFormatter.local($0, in: $1) }
        next_run_utc_offset = zip(next, zone).map { SlotFormatter.utcOffset($0, in: $1) }
        last_run_at = schedule.lastRunAt
        last_run_status = schedule.lastRunStatus
        created_at = schedule.createdAt
        updated_at = schedule.updatedAt
        removed = schedule.removedAt != nil
        removed_at = schedule.removedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(name, forKey: .name)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(timetable, forKey: .timetable)
        try container.encode(timetable_summary, forKey: .timetable_summary)
        try container.encode(policy_types, forKey: .policy_types)
        try container.encode(keep_last, forKey: .keep_last)
        try container.encode(next_run_at, forKey: .next_run_at)
        try container.encode(next_run_local, forKey: .next_run_local)
        try container.encode(next_run_utc_offset, forKey: .next_run_utc_offset)
        try container.encode(last_run_at, forKey: .last_run_at)
        try container.encode(last_run_status, forKey: .last_run_status)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(updated_at, forKey: .updated_at)
        try container.encode(removed, forKey: .removed)
        try container.encode(removed_at, forKey: .removed_at)
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, name, enabled, timezone, timetable, timetable_summary, policy_types, keep_last
        case next_run_at, next_run_local, next_run_utc_offset, last_run_at, last_run_status
        case created_at, updated_at, removed, removed_at
    }
}

/// One slot as `schedules next --json` prints it.
public struct SlotDocument: Encodable, Sendable {
    public let utc: String
    public let local: String
    public let utc_offset: String

    public init(_ slot: Date, zone: TimeZone) {
        utc = ISO8601.minuteString(slot)
        local = SlotFormatter.local(slot, in: zone)
        utc_offset = SlotFormatter.utcOffset(slot, in: zone)
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
