import Foundation

/// A 5-field cron expression (minute, hour, day of month, month, day of week), read in the
/// schedule's zone. Lists, ranges, steps, month and weekday names, `7` as Sunday. When both
/// day fields are restricted a day matches either (Vixie cron); a day field counts as
/// unrestricted when it starts with `*` (so `*/2` is unrestricted, as in Vixie cron).
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written, whitespace-normalized (fields joined by one space).
    public let text: String
    let minutes: UInt64
    let hours: UInt32
    /// Bits 1…31.
    let daysOfMonth: UInt32
    /// Bits 1…12.
    let months: UInt16
    /// Bits 0…6, 0 = Sunday.
    let weekdays: UInt8
    let dayOfMonthStar: Bool
    let dayOfWeekStar: Bool

    /// Parses and validates; refuses an expression that can never fire (`0 0 31 2 *`).
    public init(parsing expression: String) throws(TenantPilotError) {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        let normalized = fields.joined(separator: " ")
        if fields.first?.hasPrefix("@") == true {
            throw .invalid(
                "cron expression \"\(normalized)\": macros such as @daily are not supported; write the 5 fields (e.g. \"0 0 * * *\")"
            )
        }
        guard fields.count == 5 else {
            throw .invalid(
                "cron expression \"\(normalized)\" has \(fields.count) field\(fields.count == 1 ? "" : "s"); expected 5 (minute hour day-of-month month day-of-week)"
            )
        }
        text = normalized
        minutes = try CronField.minute.parse(fields[0], in: normalized)
        hours = UInt32(truncatingIfNeeded: try CronField.hour.parse(fields[1], in: normalized))
        daysOfMonth = UInt32(truncatingIfNeeded: try CronField.dayOfMonth.parse(fields[2], in: normalized))
        months = UInt16(truncatingIfNeeded: try CronField.month.parse(fields[3], in: normalized))
        let weekdayBits = try CronField.dayOfWeek.parse(fields[4], in: normalized)
        weekdays = UInt8(truncatingIfNeeded: (weekdayBits | (weekdayBits >> 7)) & 0x7F)
        dayOfMonthStar = fields[2].hasPrefix("*")
        dayOfWeekStar = fields[4].hasPrefix("*")
        try checkFires()
    }

    public var description: String { text }

    /// With the OR rule every month holds every weekday, so only the AND form (one day field
    /// unrestricted) can be empty: when no month of the month field has a day of the
    /// day-of-month field. Over the 400-year Gregorian cycle every (month, day) pair that
    /// exists falls on every weekday, so that check is exact.
    private func checkFires() throws(TenantPilotError) {
        guard dayOfMonthStar || dayOfWeekStar else { return }
        for month in 1...12 where months & (1 << UInt16(month)) != 0 {
            let longest = month == 2 ? 29 : CivilDate.daysIn(month: month, year: 2001)
            let mask: UInt32 = longest == 31 ? 0xFFFF_FFFE : ((1 << UInt32(longest + 1)) - 2)
            if daysOfMonth & mask != 0 { return }
        }
        throw .invalid(
            "cron expression \"\(text)\" never fires: no month in its month field has a day in its day-of-month field"
        )
    }

    /// Whether the date matches the day-of-month, month and day-of-week fields.
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months & (1 << UInt16(month)) != 0 else { return false }
        let dayMatches = daysOfMonth & (1 << UInt32(day)) != 0
        let weekdayMatches = weekdays & (1 << UInt8(weekday)) != 0
        return (dayOfMonthStar || dayOfWeekStar) ? (dayMatches && weekdayMatches) : (dayMatches || weekdayMatches)
    }

    func matchesMonth(_ month: Int) -> Bool { months & (1 << UInt16(month)) != 0 }

    /// The first matching minute of the day (0…1439) at or after `minuteOfDay`, or nil.
    func nextMinuteOfDay(atOrAfter minuteOfDay: Int) -> Int? {
        var hour = minuteOfDay / 60
        var minute = minuteOfDay % 60
        while hour < 24 {
            if hours & (1 << UInt32(hour)) != 0 {
                let remaining = minutes >> UInt64(minute)
                if remaining != 0 { return hour * 60 + minute + remaining.trailingZeroBitCount }
            }
            let later = hour + 1 < 24 ? (hours >> UInt32(hour + 1)) : 0
            guard later != 0 else { return nil }
            hour += 1 + later.trailingZeroBitCount
            minute = 0
        }
        return nil
    }

    /// Whether the time of day matches the minute and hour fields (for tests and checks).
    func matchesTime(hour: Int, minute: Int) -> Bool {
        hours & (1 << UInt32(hour)) != 0 && minutes & (1 << UInt64(minute)) != 0
    }
}
