// TEMPORARY stand-in for the Scheduling work on branch `sched`; deleted at merge.
import Foundation

public struct LocalTime: Sendable, Hashable, Codable { public let hour: Int; public let minute: Int }
public enum Weekday: String, Sendable, Hashable, Codable { case mon, tue, wed, thu, fri, sat, sun }
public struct CronExpression: Sendable, Hashable, Codable { public let text: String }

public enum Timetable: Sendable, Hashable, Codable {
    case localTimes(times: [LocalTime], weekdays: Set<Weekday>?)
    case cron(CronExpression)

    public static func localTimes(parsing times: [String], days: String?) throws(TenantPilotError) -> Timetable {
        var parsed: [LocalTime] = []
        for text in times.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else {
                throw .invalid("\"\(text)\" is not a valid time (expected HH:MM, 00:00–23:59)")
            }
            parsed.append(LocalTime(hour: h, minute: m))
        }
        var weekdays: Set<Weekday>?
        if let days {
            weekdays = []
            for day in days.split(separator: ",") {
                guard let w = Weekday(rawValue: day.lowercased()) else { throw .invalid("\"\(day)\" is not a weekday") }
                weekdays?.insert(w)
            }
        }
        return .localTimes(times: parsed, weekdays: weekdays)
    }

    public static func cron(parsing expression: String) throws(TenantPilotError) -> Timetable {
        guard expression.split(separator: " ").count == 5 else { throw .invalid("\"\(expression)\" is not a 5-field cron expression") }
        return .cron(CronExpression(text: expression))
    }

    public var summary: String { "\(self)" }

    public func nextSlot(after instant: Date, in zone: TimeZone) -> Date? {
        guard case .localTimes(let times, _) = self else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var t = (instant.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        for _ in 0..<(60 * 24 * 8) {
            let date = Date(timeIntervalSince1970: t)
            let c = calendar.dateComponents([.hour, .minute], from: date)
            if times.contains(LocalTime(hour: c.hour ?? -1, minute: c.minute ?? -1)) { return date }
            t += 60
        }
        return nil
    }

    public func slots(after instant: Date, in zone: TimeZone, count: Int) -> [Date] {
        var result: [Date] = []
        var t = instant
        while result.count < count, let next = nextSlot(after: t, in: zone) { result.append(next); t = next }
        return result
    }

    public func latestSlot(atOrBefore instant: Date, notBefore lowerBound: Date, in zone: TimeZone) -> Date? {
        var last: Date?
        var t = lowerBound.addingTimeInterval(-1)
        while let next = nextSlot(after: t, in: zone), next <= instant { last = next; t = next }
        return last
    }

    public func countSlots(after: Date, through: Date, in zone: TimeZone, limit: Int) -> Int {
        var n = 0
        var t = after
        while n < limit, let next = nextSlot(after: t, in: zone), next <= through { n += 1; t = next }
        return n
    }
}

public enum ScheduleZone {
    public static func resolve(_ identifier: String) throws(TenantPilotError) -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else { throw .invalid("unknown time zone \"\(identifier)\"") }
        return zone
    }
}

public enum SlotFormatter {
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        let f = DateFormatter(); f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"; return f.string(from: date)
    }
    public static func utcOffset(_ date: Date, in zone: TimeZone) -> String {
        let s = zone.secondsFromGMT(for: date)
        return String(format: "%@%02d:%02d", s < 0 ? "-" : "+", abs(s) / 3600, (abs(s) % 3600) / 60)
    }
}
