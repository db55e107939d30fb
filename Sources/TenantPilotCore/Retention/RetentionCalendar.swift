import Foundation

/// The calendar periods a set falls in, counted in a schedule's time zone: its local day, its
/// ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday, so 29 December
/// can be in week 1 of the next year), its month and its year. Integer arithmetic on the local
/// wall clock (`ZoneClock`): one zone-offset lookup per set, no `Calendar`.
public struct RetentionCalendar: Sendable {
    let clock: ZoneClock

    public init(zone: TimeZone) {
        clock = ZoneClock(zone: zone)
    }

    /// The periods of `instant`.
    public func periods(of instant: Instant) -> Periods {
        let local = clock.localSeconds(at: instant.secondsSince1970)
        return Periods(dayNumber: Int(CivilDate.floorDivide(local, 86_400)))
    }

    /// One local day and the week, month and year it is in.
    public struct Periods: Sendable, Hashable {
        /// Days since 1970-01-01, local.
        public let dayNumber: Int
        let date: CivilDate
        public let isoYear: Int
        public let isoWeek: Int

        init(dayNumber: Int) {
            self.dayNumber = dayNumber
            date = CivilDate(dayNumber: dayNumber)
            // Monday = 0 … Sunday = 6; 1970-01-01 was a Thursday.
            let weekday = ((dayNumber + 3) % 7 + 7) % 7
            let thursday = dayNumber - weekday + 3
            isoYear = CivilDate(dayNumber: thursday).year
            isoWeek = (thursday - CivilDate(year: isoYear, month: 1, day: 1).dayNumber) / 7 + 1
        }

        /// A key that orders the periods of `period` in time.
        public func key(_ period: RetentionPeriod) -> Int {
            switch period {
            case .daily: dayNumber
            case .weekly: isoYear * 100 + isoWeek
            case .monthly: date.year * 100 + date.month
            case .yearly: date.year
            }
        }

        /// `2026-03-29`, `2026-W13`, `2026-03`, `2026`.
        public func label(_ period: RetentionPeriod) -> String {
            switch period {
            case .daily: "\(Self.year(date.year))-\(Self.two(date.month))-\(Self.two(date.day))"
            case .weekly: "\(Self.year(isoYear))-W\(Self.two(isoWeek))"
            case .monthly: "\(Self.year(date.year))-\(Self.two(date.month))"
            case .yearly: Self.year(date.year)
            }
        }

        private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

        private static func year(_ value: Int) -> String {
            let digits = String(abs(value))
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }
}
