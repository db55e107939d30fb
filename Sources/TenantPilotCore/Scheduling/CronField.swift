import Foundation

/// One of the five fields of a cron expression: its range, its names, and how it is read into
/// a bit set (bit n set = value n matches).
struct CronField: Sendable {
    let name: String
    let range: ClosedRange<Int>
    let names: [String: Int]

    static let minute = CronField(name: "minute", range: 0...59, names: [:])
    static let hour = CronField(name: "hour", range: 0...23, names: [:])
    static let dayOfMonth = CronField(name: "day-of-month", range: 1...31, names: [:])
    static let month = CronField(
        name: "month", range: 1...12,
        names: [
            "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
            "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
        ])
    /// 0…7, both 0 and 7 meaning Sunday (folded into bit 0 after parsing).
    static let dayOfWeek = CronField(
        name: "day-of-week", range: 0...7,
        names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

    /// Reads a field: a comma-separated list of `*`, `N`, `A-B`, each optionally `/STEP`
    /// (`N/STEP` means `N-max/STEP`). Names are accepted where the field has them.
    /// `expression` is only for the error message.
    func parse(_ text: String, in expression: String) throws(TenantPilotError) -> UInt64 {
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            bits |= try parseItem(item, field: text, expression: expression)
        }
        return bits
    }

    private func parseItem(_ item: String, field: String, expression: String) throws(TenantPilotError) -> UInt64 {
        func fail(_ reason: String) -> TenantPilotError {
            .invalid("cron expression \"\(expression)\": \(name) field \"\(field)\": \(reason)")
        }
        guard !item.isEmpty else { throw fail("empty list entry") }
        let stepParts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard stepParts.count <= 2 else { throw fail("\"\(item)\" has more than one step") }
        var step = 1
        if stepParts.count == 2 {
            guard let value = Self.number(stepParts[1]), value >= 1 else {
                throw fail("step \"\(stepParts[1])\" must be a whole number of at least 1")
            }
            guard value <= range.upperBound - range.lowerBound + 1 else {
                throw fail("step \(value) is larger than the field's range \(range.lowerBound)–\(range.upperBound)")
            }
            step = value
        }
        let base = stepParts[0]
        var low: Int
        var high: Int
        if base == "*" {
            low = range.lowerBound
            high = range.upperBound
            if name == CronField.dayOfWeek.name { high = 6 }
        } else {
            let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2 else { throw fail("\"\(base)\" is not a value or a range A-B") }
            low = try value(ends[0], fail: fail)
            high = ends.count == 2 ? try value(ends[1], fail: fail) : low
            if ends.count == 1 && stepParts.count == 2 { high = range.upperBound }
            guard low <= high else { throw fail("range \(base) goes backwards") }
        }
        var bits: UInt64 = 0
        var value = low
        while value <= high {
            bits |= 1 << UInt64(value)
            value += step
        }
        return bits
    }

    private func value(_ text: String, fail: (String) -> TenantPilotError) throws(TenantPilotError) -> Int {
        if let named = names[text.lowercased()] { return named }
        guard let number = Self.number(text) else {
            let allowed =
                names.isEmpty
                ? "" : " or a name (\(names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", ")))"
            throw fail("\"\(text)\" is not a number\(allowed)")
        }
        guard range.contains(number) else {
            throw fail("\(number) is out of range \(range.lowerBound)–\(range.upperBound)")
        }
        return number
    }

    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
