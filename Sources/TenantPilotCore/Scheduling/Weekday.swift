import Foundation

/// A day of the week, for `--days`. Raw values are the three-letter names used in JSON.
public enum Weekday: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    /// Cron numbering: 0 = Sunday, 1 = Monday … 6 = Saturday.
    public var cronIndex: Int {
        switch self {
        case .sun: 0
        case .mon: 1
        case .tue: 2
        case .wed: 3
        case .thu: 4
        case .fri: 5
        case .sat: 6
        }
    }

    /// Monday-first position, for sorting and ranges (`mon` 0 … `sun` 6).
    var weekPosition: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.weekPosition < rhs.weekPosition }

    /// Reads one day name: `mon`, `Monday`, `TUES`, … (case-insensitive).
    public init(parsing text: String) throws(TenantPilotError) {
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        let full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        let extra = ["tues": Weekday.tue, "thur": .thu, "thurs": .thu]
        if let day = Weekday(rawValue: name) {
            self = day
        } else if let index = full.firstIndex(of: name) {
            self = Self.allCases[index]
        } else if let day = extra[name] {
            self = day
        } else {
            throw .invalid(
                "\"\(text.trimmingCharacters(in: .whitespaces))\" is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
        }
    }

    /// Reads a set of days: `mon,tue`, `mon-fri`, `sat-mon` (wrapping round the week),
    /// `weekdays`, `weekends`, or a mix, separated by commas. Case-insensitive.
    public static func parseSet(_ text: String) throws(TenantPilotError) -> Set<Weekday> {
        var days = Set<Weekday>()
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch item.lowercased() {
            case "":
                throw .invalid("days \"\(text)\" has an empty entry (expected e.g. mon,tue or mon-fri)")
            case "weekdays", "weekday":
                days.formUnion([.mon, .tue, .wed, .thu, .fri])
            case "weekends", "weekend":
                days.formUnion([.sat, .sun])
            default:
                let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard ends.count <= 2 else {
                    throw .invalid("\"\(item)\" is not a weekday or a range of weekdays (e.g. mon-fri)")
                }
                let first = try Weekday(parsing: ends[0])
                let last = try Weekday(parsing: ends[ends.count - 1])
                var position = first.weekPosition
                while true {
                    days.insert(allCases[position])
                    if position == last.weekPosition { break }
                    position = (position + 1) % 7
                }
            }
        }
        return days
    }

    /// The day of the given cron index (0 or 7 = Sunday).
    static func fromCronIndex(_ index: Int) -> Weekday {
        [.sun, .mon, .tue, .wed, .thu, .fri, .sat][((index % 7) + 7) % 7]
    }
}
