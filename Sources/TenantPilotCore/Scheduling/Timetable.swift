import Foundation

/// When a schedule fires, read in its IANA zone (docs/scheduling.md): local times `HH:MM` on every day or
/// on a set of weekdays, or a 5-field cron expression. Its slots are computed by
/// `nextSlot(after:in:)` and friends (Timetable+Slots.swift); its JSON form is
/// `{"at":["02:00"],"days":["mon"]}` or `{"cron":"0 2 * * 1-5"}` (Timetable+Codable.swift).
public enum Timetable: Sendable, Hashable {
    /// Local times, sorted and unique; `weekdays` nil means every day (never the full set).
    case localTimes(times: [LocalTime], weekdays: Set<Weekday>?)
    case cron(CronExpression)

    /// `--at` values (`HH:MM`, several per string when comma-separated) and `--days`
    /// (`mon,tue`, `mon-fri`, `weekdays`, `weekends`; nil = every day).
    public static func localTimes(parsing times: [String], days: String?) throws(TenantPilotError) -> Timetable {
        var parsed = Set<LocalTime>()
        for entry in times {
            let items = entry.split(separator: ",", omittingEmptySubsequences: false)
            for item in items {
                if item.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw .invalid("times \"\(entry)\" have an empty entry (expected HH:MM, e.g. 02:00,14:30)")
                }
                parsed.insert(try LocalTime(parsing: String(item)))
            }
        }
        guard !parsed.isEmpty else { throw .invalid("give at least one time HH:MM") }
        let weekdays = try days.map { (text: String) throws(TenantPilotError) in try Weekday.parseSet(text) }
        return try normalized(times: Array(parsed), weekdays: weekdays)
    }

    /// Builds a normalized local-times timetable from parsed values.
    public static func normalized(times: [LocalTime], weekdays: Set<Weekday>?) throws(TenantPilotError) -> Timetable {
        let sorted = Array(Set(times)).sorted()
        guard !sorted.isEmpty else { throw .invalid("give at least one time HH:MM") }
        if let weekdays, weekdays.isEmpty { throw .invalid("give at least one weekday") }
        let days = weekdays.flatMap { $0.count == 7 ? nil : $0 }
        return .localTimes(times: sorted, weekdays: days)
    }

    /// A 5-field cron expression; errors name the field and the value. An expression that can
    /// never fire (`0 0 31 2 *`) is refused.
    public static func cron(parsing expression: String) throws(TenantPilotError) -> Timetable {
        .cron(try CronExpression(parsing: expression))
    }

    /// `02:00, 14:30 every day`, `02:00 on mon,fri`, `cron "0 2 * * 1-5"`.
    public var summary: String {
        switch self {
        case .localTimes(let times, let weekdays):
            let list = times.map(\.description).joined(separator: ", ")
            guard let weekdays else { return list + " every day" }
            return list + " on " + weekdays.sorted().map(\.rawValue).joined(separator: ",")
        case .cron(let expression):
            return "cron \"\(expression.text)\""
        }
    }
}
