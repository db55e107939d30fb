/// A proleptic Gregorian calendar date, counted as days since 1970-01-01. The slot search does
/// its own calendar arithmetic (Howard Hinnant's algorithms): Foundation's `Calendar` moves or
/// skips non-existent local times on its own, and it is far slower than integer arithmetic.
struct CivilDate: Hashable, Sendable {
    var year: Int
    /// 1…12.
    var month: Int
    /// 1…31.
    var day: Int

    /// The date `dayNumber` days after 1970-01-01 (negative: before).
    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Cron numbering: 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday.
    static func weekdayIndex(dayNumber: Int) -> Int {
        ((dayNumber + 4) % 7 + 7) % 7
    }

    /// Floor division, for splitting epoch seconds into days and seconds of the day.
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
