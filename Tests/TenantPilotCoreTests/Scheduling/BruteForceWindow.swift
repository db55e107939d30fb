import Foundation

/// The brute-force reference: every UTC minute of a short window, read as local wall time in
/// the zone (offset from `TimeZone`, calendar fields from a UTC `Calendar`), marked whether it
/// is the first UTC minute showing that wall time. A slot is a first-showing minute that
/// matches. Nothing here shares code with the slot search under test.
struct BruteForceWindow {
    struct Minute {
        let utc: Int64
        let month: Int
        let day: Int
        let weekday: Int
        let hour: Int
        let minute: Int
        let isFirstShowing: Bool
    }

    let zone: TimeZone
    /// Window start and end (UTC seconds, whole minutes), both inclusive.
    let start: Int64
    let end: Int64
    let minutes: [Minute]

    init(zone: TimeZone, start: Int64, end: Int64) {
        self.zone = zone
        self.start = start
        self.end = end
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT") ?? .gmt
        var seen = Set<Int64>()
        var minutes: [Minute] = []
        // Start a day early so that the first showing of a repeated wall time is known.
        var utc = start - 86_400
        while utc <= end {
            let wall = utc + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc))))
            let isFirst = seen.insert(wall).inserted
            if utc >= start {
                let c = calendar.dateComponents(
                    [.month, .day, .weekday, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(wall)))
                minutes.append(
                    Minute(
                        utc: utc, month: c.month ?? 0, day: c.day ?? 0, weekday: (c.weekday ?? 1) - 1,
                        hour: c.hour ?? 0, minute: c.minute ?? 0, isFirstShowing: isFirst))
            }
            utc += 60
        }
        self.minutes = minutes
    }

    /// All slots of `timetable` in the window, in order.
    func slots(of timetable: ReferenceTimetable) -> [Int64] {
        minutes.filter {
            $0.isFirstShowing
                && timetable.matches(
                    month: $0.month, day: $0.day, weekday: $0.weekday, hour: $0.hour, minute: $0.minute)
        }.map(\.utc)
    }
}
