import Foundation

/// Slots (docs/scheduling.md): local wall-clock minutes that match the timetable, as UTC instants. A
/// minute inside a spring-forward gap is no slot (skipped, not moved); a minute that occurs
/// twice (fall back) is one slot, at its first occurrence.
///
/// The search walks local dates, jumping over months and days that cannot match, and within
/// a matching day over the matching minutes only; each candidate is turned into its first
/// UTC instant by `ZoneClock`. Because the first occurrence of local minutes grows with the
/// local minute, the first candidate whose instant is after `t` is the answer.
extension Timetable {
    /// The first slot strictly after `instant`; nil only when the timetable can never fire.
    public func nextSlot(after instant: Date, in zone: TimeZone) -> Date? {
        let after = Int64((instant.timeIntervalSince1970).rounded(.down))
        return nextSlot(afterSeconds: after, clock: ZoneClock(zone: zone)).map {
            Date(timeIntervalSince1970: TimeInterval($0))
        }
    }

    /// The next `count` slots after `instant`, in order.
    public func slots(after instant: Date, in zone: TimeZone, count: Int) -> [Date] {
        let clock = ZoneClock(zone: zone)
        var result: [Date] = []
        var cursor = Int64((instant.timeIntervalSince1970).rounded(.down))
        while result.count < count, let next = nextSlot(afterSeconds: cursor, clock: clock) {
            result.append(Date(timeIntervalSince1970: TimeInterval(next)))
            cursor = next
        }
        return result
    }

    /// The latest slot `s` with `lowerBound ≤ s ≤ instant`, or nil (dispatch's grace window,
    /// and the latest of the slots missed during a gap).
    ///
    /// The search walks forward through windows that end at `instant` and grow (an hour, two
    /// days, forty days, …), so its cost follows the slots near `instant`, never the length of
    /// the range: the latest minute of a `* * * * *` schedule after a gap of centuries is found
    /// in the first hour.
    public func latestSlot(atOrBefore instant: Date, notBefore lowerBound: Date, in zone: TimeZone) -> Date? {
        let clock = ZoneClock(zone: zone)
        for span in Self.latestSlotWindows {
            let start = span.map { max(lowerBound, instant.addingTimeInterval(-$0)) } ?? lowerBound
            if let found = latestSlot(atOrBefore: instant, from: start, clock: clock) { return found }
            if start <= lowerBound { return nil }
        }
        return nil
    }

    /// The windows `latestSlot` tries, in seconds before `instant`; nil is the whole range. A
    /// timetable that passed validation fires at least once in eight years.
    private static let latestSlotWindows: [TimeInterval?] = [
        3600, 2 * 86_400, 40 * 86_400, 400 * 86_400, 3300 * 86_400, nil,
    ]

    private func latestSlot(atOrBefore instant: Date, from lowerBound: Date, clock: ZoneClock) -> Date? {
        let upper = instant.timeIntervalSince1970
        // A slot at `lowerBound` itself counts: search after the second before it (slots are
        // whole seconds, so a fractional bound is rounded up first).
        var cursor = Int64(lowerBound.timeIntervalSince1970.rounded(.up)) - 1
        var latest: Int64?
        while let next = nextSlot(afterSeconds: cursor, clock: clock), TimeInterval(next) <= upper {
            latest = next
            cursor = next
        }
        return latest.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// How many slots lie in `(after, through]`, counting at most `limit`.
    public func countSlots(after: Date, through: Date, in zone: TimeZone, limit: Int) -> Int {
        let clock = ZoneClock(zone: zone)
        let upper = through.timeIntervalSince1970
        var cursor = Int64((after.timeIntervalSince1970).rounded(.down))
        var count = 0
        while count < limit, let next = nextSlot(afterSeconds: cursor, clock: clock), TimeInterval(next) <= upper {
            count += 1
            cursor = next
        }
        return count
    }

    // MARK: - Search

    /// Months searched before giving up: two 400-year Gregorian cycles, far more than any
    /// timetable that passed validation needs (`0 0 29 2 *` waits at most 8 years).
    private static let monthSearchLimit = 12 * 800
    /// Matching days tried before concluding that every one falls in a gap.
    private static let dayPassLimit = 32

    func nextSlot(afterSeconds after: Int64, clock: ZoneClock) -> Int64? {
        let local = clock.localSeconds(at: after)
        var dayNumber = Int(CivilDate.floorDivide(local, 86_400))
        var fromMinute = Int((local - Int64(dayNumber) * 86_400) / 60)
        // Each pass handles one matching day. A day yields nothing when its candidates are at
        // or before `after` (the first day) or all fall in a gap (a transition day, rarely two
        // in a row). Only a timetable matching nothing but gap minutes could exhaust the passes.
        for _ in 0..<Self.dayPassLimit {
            guard let day = nextMatchingDay(onOrAfter: dayNumber) else { return nil }
            if day != dayNumber { fromMinute = 0 }
            var minute = fromMinute
            while minute < 1440, let candidate = nextMinuteOfDay(atOrAfter: minute) {
                let wall = Int64(day) * 86_400 + Int64(candidate) * 60
                if let utc = clock.firstInstant(ofLocal: wall), utc > after { return utc }
                minute = candidate + 1
            }
            dayNumber = day + 1
            fromMinute = 0
        }
        return nil
    }

    /// The first day (days since 1970-01-01) on or after `start` whose date matches.
    func nextMatchingDay(onOrAfter start: Int) -> Int? {
        switch self {
        case .localTimes(let times, let weekdays):
            guard !times.isEmpty else { return nil }
            guard let weekdays else { return start }
            guard !weekdays.isEmpty else { return nil }
            for offset in 0..<7 {
                let day = start + offset
                if weekdays.contains(Weekday.fromCronIndex(CivilDate.weekdayIndex(dayNumber: day))) { return day }
            }
            return nil
        case .cron(let expression):
            var date = CivilDate(dayNumber: start)
            var dayNumber = start
            for _ in 0..<Self.monthSearchLimit {
                if expression.matchesMonth(date.month) {
                    let length = CivilDate.daysIn(month: date.month, year: date.year)
                    var weekday = CivilDate.weekdayIndex(dayNumber: dayNumber)
                    for day in date.day...length {
                        if expression.matchesDay(month: date.month, day: day, weekday: weekday) {
                            return dayNumber + (day - date.day)
                        }
                        weekday = weekday == 6 ? 0 : weekday + 1
                    }
                }
                date =
                    date.month == 12
                    ? CivilDate(year: date.year + 1, month: 1, day: 1)
                    : CivilDate(year: date.year, month: date.month + 1, day: 1)
                dayNumber = date.dayNumber
            }
            return nil
        }
    }

    /// The first matching minute of a (matching) day at or after `minuteOfDay`.
    func nextMinuteOfDay(atOrAfter minuteOfDay: Int) -> Int? {
        switch self {
        case .localTimes(let times, _):
            var best: Int?
            for time in times where time.minuteOfDay >= minuteOfDay {
                if best.map({ time.minuteOfDay < $0 }) ?? true { best = time.minuteOfDay }
            }
            return best
        case .cron(let expression):
            return expression.nextMinuteOfDay(atOrAfter: minuteOfDay)
        }
    }
}
