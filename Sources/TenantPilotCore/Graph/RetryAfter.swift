import Foundation

/// The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP-date.
///
/// The value comes from a server the tool does not control, so reading it never traps and
/// never yields an unusable wait: anything that is not a positive wait — zero, a negative
/// number, a date in the past, garbage — is nil ("use the backoff"), and a huge one is kept
/// within `longest` (the retry policy then caps it further).
public enum RetryAfter {
    /// The longest wait this parser returns; the retry policy's `maxDelay` is smaller.
    public static let longest = Duration.seconds(86_400)

    /// How long to wait, measured from `now`; nil when the value is not a positive wait.
    public static func parse(_ value: String, now: Date) -> Duration? {
        // No form of the header is longer; a longer value is garbage, and is not read further.
        guard value.utf8.count <= 64 else { return nil }
        let bytes = Array(value.utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        let text = bytes[start..<end]
        guard !text.isEmpty else { return nil }
        if let milliseconds = deltaMilliseconds(text) {
            return milliseconds > 0 ? .milliseconds(milliseconds) : nil
        }
        guard let date = httpDate(String(decoding: text, as: UTF8.self)) else { return nil }
        let wait = date.timeIntervalSince(now)
        guard wait.isFinite, wait > 0 else { return nil }
        let capped = min(wait, seconds(longest))
        return .milliseconds(Int64((capped * 1000).rounded(.up)))
    }

    /// `1*DIGIT` (a fraction `.5` is tolerated, as some servers send it) in milliseconds, at most
    /// `longest`; nil when the text is not of that form.
    static func deltaMilliseconds(_ text: ArraySlice<UInt8>) -> Int64? {
        let cap = longest.components.seconds * 1000
        var milliseconds: Int64 = 0
        var index = text.startIndex
        var digits = 0
        while index < text.endIndex, isDigit(text[index]) {
            // Past the cap the value only matters as "huge": stop accumulating, never overflow.
            if milliseconds <= cap { milliseconds = milliseconds * 10 + Int64(text[index] - 0x30) * 1000 }
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < text.endIndex {
            guard text[index] == UInt8(ascii: "."), index + 1 < text.endIndex else { return nil }
            index += 1
            var scale: Int64 = 100
            while index < text.endIndex, isDigit(text[index]) {
                milliseconds += Int64(text[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index == text.endIndex else { return nil }
        }
        return min(milliseconds, cap)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: - HTTP-date

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let shortDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Parses the three HTTP-date forms, always in GMT: IMF-fixdate (`Sun, 06 Nov 1994
    /// 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6
    /// 08:49:37 1994`). Strict and written by hand: no field out of range is rolled over, and no
    /// formatter is loaded for a header.
    public static func httpDate(_ text: String) -> Date? {
        guard text.utf8.count <= 64 else { return nil }
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map { $0.lowercased() }
        let fields: (year: Int, month: Int, day: Int, time: Substring)
        switch parts.count {
        case 6 where parts[0].hasSuffix(",") && shortDays.contains(String(parts[0].dropLast())) && parts[5] == "gmt":
            // IMF-fixdate
            guard let day = number(parts[1], length: 2...2), let month = months.firstIndex(of: parts[2]),
                let year = number(parts[3], length: 4...4)
            else { return nil }
            fields = (year, month + 1, day, Substring(parts[4]))
        case 4 where parts[0].hasSuffix(",") && longDays.contains(String(parts[0].dropLast())) && parts[3] == "gmt":
            // RFC 850: a two-digit year is taken as 19xx or 20xx, whichever is within 50 years.
            let date = parts[1].split(separator: "-", omittingEmptySubsequences: false)
            guard date.count == 3, let day = number(date[0], length: 2...2),
                let month = months.firstIndex(of: String(date[1])), let short = number(date[2], length: 2...2)
            else { return nil }
            fields = (short < 70 ? 2000 + short : 1900 + short, month + 1, day, Substring(parts[2]))
        case 5 where shortDays.contains(parts[0]):
            // asctime
            guard let month = months.firstIndex(of: parts[1]), let day = number(parts[2], length: 1...2),
                let year = number(parts[4], length: 4...4)
            else { return nil }
            fields = (year, month + 1, day, Substring(parts[3]))
        default:
            return nil
        }
        let clock = fields.time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hour = number(clock[0], length: 2...2),
            let minute = number(clock[1], length: 2...2),
            let second = number(clock[2], length: 2...2), hour <= 23, minute <= 59, second <= 60,
            (1...12).contains(fields.month),
            (1...CivilDate.daysIn(month: fields.month, year: fields.year)).contains(fields.day)
        else { return nil }
        let days = CivilDate(year: fields.year, month: fields.month, day: fields.day).dayNumber
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + min(second, 59)))
    }

    /// A field of only ASCII digits, of a length in `length`.
    private static func number(_ text: some StringProtocol, length: ClosedRange<Int>) -> Int? {
        let utf8 = text.utf8
        guard length.contains(utf8.count), utf8.allSatisfy(isDigit) else { return nil }
        return utf8.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Formats an instant as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    public static func httpDateString(_ date: Date) -> String {
        let seconds = Int64(max(min(date.timeIntervalSince1970, 253_402_300_799), -62_135_596_800).rounded(.down))
        let dayNumber = Int(CivilDate.floorDivide(seconds, 86_400))
        let civil = CivilDate(dayNumber: dayNumber)
        let ofDay = Int(seconds - Int64(dayNumber) * 86_400)
        let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][CivilDate.weekdayIndex(dayNumber: dayNumber)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
            civil.month - 1]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(repeating: "0", count: max(0, 4 - String(civil.year).count)) + String(civil.year)
        return
            "\(weekday), \(two(civil.day)) \(month) \(year) \(two(ofDay / 3600)):\(two(ofDay % 3600 / 60)):\(two(ofDay % 60)) GMT"
    }
}
