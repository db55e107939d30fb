import Foundation
import GraphSimulator

@testable import TenantPilotCore

/// A random timetable kept in two forms: the text a user would type (parsed by the code under
/// test) and a plain description of which local minutes match, evaluated directly by the
/// brute-force reference. The two are produced together here, never from each other.
struct ReferenceTimetable: CustomStringConvertible {
    enum Form {
        case localTimes(times: [String], days: String?)
        case cron(String)
    }

    let form: Form
    var minutes = Set<Int>()
    var hours = Set<Int>()
    /// Local-times form: exact (hour, minute) pairs.
    var times = Set<Int>()
    var daysOfMonth = Set(1...31)
    var months = Set(1...12)
    /// 0 = Sunday.
    var weekdays = Set(0...6)
    var dayOfMonthStar = true
    var dayOfWeekStar = true

    var description: String {
        switch form {
        case .localTimes(let times, let days): "at \(times) days \(days ?? "every day")"
        case .cron(let text): "cron \"\(text)\""
        }
    }

    func parsed() throws -> Timetable {
        switch form {
        case .localTimes(let times, let days): try Timetable.localTimes(parsing: times, days: days)
        case .cron(let text): try Timetable.cron(parsing: text)
        }
    }

    /// Whether local wall time (month, day, weekday 0 = Sunday, hour, minute) matches.
    func matches(month: Int, day: Int, weekday: Int, hour: Int, minute: Int) -> Bool {
        switch form {
        case .localTimes:
            return times.contains(hour * 60 + minute) && weekdays.contains(weekday)
        case .cron:
            guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
            let dayOK = daysOfMonth.contains(day)
            let weekdayOK = weekdays.contains(weekday)
            return (dayOfMonthStar || dayOfWeekStar) ? (dayOK && weekdayOK) : (dayOK || weekdayOK)
        }
    }

    /// Whether some date could ever match (the AND form may name only impossible days).
    var canEverFire: Bool {
        guard case .cron = form, dayOfMonthStar || dayOfWeekStar else { return true }
        let longest = [1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31]
        return months.contains { month in daysOfMonth.contains { $0 <= longest[month, default: 0] } }
    }

    // MARK: - Random generation

    static func random(using rng: inout SeededGenerator) -> ReferenceTimetable {
        Int.random(in: 0..<10, using: &rng) < 4 ? randomLocalTimes(using: &rng) : randomCron(using: &rng)
    }

    /// Hours near the usual transition times are favoured, so that gaps and repeats are hit.
    private static func interestingHour(using rng: inout SeededGenerator) -> Int {
        Int.random(in: 0..<3, using: &rng) == 0
            ? Int.random(in: 0...23, using: &rng) : [23, 0, 1, 2, 3].randomElement(using: &rng) ?? 2
    }

    private static func randomLocalTimes(using rng: inout SeededGenerator) -> ReferenceTimetable {
        var texts: [String] = []
        var values = Set<Int>()
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let hour = interestingHour(using: &rng)
            let minute =
                Bool.random(using: &rng)
                ? [0, 15, 30, 45].randomElement(using: &rng) ?? 0 : Int.random(in: 0...59, using: &rng)
            values.insert(hour * 60 + minute)
            texts.append(String(format: "%02d:%02d", hour, minute))
        }
        let grouped = Bool.random(using: &rng) ? [texts.joined(separator: ",")] : texts
        let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        var days: String?
        var weekdays = Set(0...6)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            weekdays = Set((0...6).filter { _ in Bool.random(using: &rng) })
            if weekdays.isEmpty { weekdays = [Int.random(in: 0...6, using: &rng)] }
            days = weekdays.sorted().map { names[$0] }.joined(separator: ",")
        case 1:
            days = "mon-fri"
            weekdays = [1, 2, 3, 4, 5]
        case 2:
            days = "Weekends"
            weekdays = [0, 6]
        default:
            break
        }
        var reference = ReferenceTimetable(form: .localTimes(times: grouped, days: days))
        reference.times = values
        reference.weekdays = weekdays
        return reference
    }

    private static func randomCron(using rng: inout SeededGenerator) -> ReferenceTimetable {
        let minute = field(0...59, step: [5, 10, 15, 20, 30], using: &rng)
        let hourField =
            Int.random(in: 0..<3, using: &rng) == 0
            ? field(0...23, step: [2, 3, 4, 6], using: &rng)
            : {
                let h = interestingHour(using: &rng)
                return (String(h), Set([h]))
            }()
        let dayOfMonth =
            Int.random(in: 0..<3, using: &rng) == 0 ? field(1...31, step: [2, 5, 10], using: &rng) : ("*", Set(1...31))
        let month =
            Int.random(in: 0..<4, using: &rng) == 0
            ? field(1...12, step: [2, 3], names: monthNames, using: &rng) : ("*", Set(1...12))
        let weekday =
            Int.random(in: 0..<3, using: &rng) == 0
            ? field(0...6, step: [2, 3], names: dayNames, using: &rng) : ("*", Set(0...6))
        // `7` as Sunday now and then.
        var weekdayText = weekday.0
        if weekdayText == "0" && Bool.random(using: &rng) { weekdayText = "7" }
        let text = [minute.0, hourField.0, dayOfMonth.0, month.0, weekdayText].joined(
            separator: Bool.random(using: &rng) ? " " : "  ")
        var reference = ReferenceTimetable(form: .cron(text))
        reference.minutes = minute.1
        reference.hours = hourField.1
        reference.daysOfMonth = dayOfMonth.1
        reference.months = month.1
        reference.weekdays = weekday.1
        reference.dayOfMonthStar = dayOfMonth.0.hasPrefix("*")
        reference.dayOfWeekStar = weekdayText.hasPrefix("*")
        return reference
    }

    private static let monthNames = [
        "", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// A random field: `*`, `*/k`, `n`, `a-b`, `a-b/k` or a list of two of them; the values
    /// it means are worked out here by hand.
    private static func field(
        _ range: ClosedRange<Int>, step steps: [Int], names: [String] = [], using rng: inout SeededGenerator
    ) -> (String, Set<Int>) {
        func name(_ value: Int) -> String {
            !names.isEmpty && Int.random(in: 0..<3, using: &rng) == 0 ? names[value].uppercased() : String(value)
        }
        func item() -> (String, Set<Int>) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:
                return ("*", Set(range))
            case 1:
                let step = steps.randomElement(using: &rng) ?? 2
                return ("*/\(step)", Set(stride(from: range.lowerBound, through: range.upperBound, by: step)))
            case 2:
                let value = Int.random(in: range, using: &rng)
                return (name(value), [value])
            case 3:
                let a = Int.random(in: range, using: &rng)
                let b = Int.random(in: a...range.upperBound, using: &rng)
                return ("\(name(a))-\(name(b))", Set(a...b))
            default:
                let a = Int.random(in: range, using: &rng)
                let b = Int.random(in: a...range.upperBound, using: &rng)
                let step = steps.randomElement(using: &rng) ?? 2
                return ("\(a)-\(b)/\(step)", Set(stride(from: a, through: b, by: step)))
            }
        }
        let first = item()
        guard Int.random(in: 0..<4, using: &rng) == 0 else { return first }
        let second = item()
        return (first.0 + "," + second.0, first.1.union(second.1))
    }
}
