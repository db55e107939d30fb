import Foundation

/// The one textual form of instants in the store and in JSON: UTC, `YYYY-MM-DDTHH:MM:SSZ`.
public enum ISO8601 {
    /// `2026-03-29T01:30:00Z`.
    public static func string(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return format(epochSeconds: seconds)
    }

    /// A slot instant: truncated to the whole minute, `YYYY-MM-DDTHH:MM:00Z`.
    public static func minuteString(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return format(epochSeconds: seconds - ((seconds % 60) + 60) % 60)
    }

    /// Parses `2026-03-29T01:30:00Z`, `…T01:30Z`, fractional seconds (dropped), or an explicit
    /// offset (`+02:00`, `+0200`). Strict: a field out of range (`2026-02-30`, `25:00`) is nil,
    /// where Foundation's parsers roll it over into another instant. It is also cheap, with no
    /// ICU formatter to load, which matters for a `dispatch` that cron starts every minute.
    public static func parse(_ text: String) -> Date? {
        var reader = Reader(bytes(trimming: text))
        guard let year = reader.digits(4), reader.take("-"), let month = reader.digits(2), reader.take("-"),
            let day = reader.digits(2), reader.take("T") || reader.take("t"), let hour = reader.digits(2),
            reader.take(":"),
            let minute = reader.digits(2)
        else { return nil }
        var second: Int64 = 0
        if reader.take(":") {
            guard let value = reader.digits(2) else { return nil }
            second = value
            if reader.take(".") || reader.take(",") {
                guard reader.skipDigits() > 0 else { return nil }
            }
        }
        var offset: Int64 = 0
        if reader.take("Z") || reader.take("z") {
            offset = 0
        } else if let sign: Int64 = reader.take("+") ? 1 : reader.take("-") ? -1 : nil {
            guard let hours = reader.digits(2) else { return nil }
            _ = reader.take(":")
            guard let minutes = reader.digits(2), hours <= 23, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23,
            minute <= 59, second <= 59
        else { return nil }
        let seconds =
            daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Only instants whose UTC form has a four-digit year: everything read can be written back.
        guard (-62_167_219_200...253_402_300_799).contains(seconds) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// The text's bytes without surrounding whitespace. Foundation's trimming is only called when
    /// an end is not a printable ASCII byte: the store's own instants (read by the thousand in
    /// retention) never pay for it.
    private static func bytes(trimming text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last else { return bytes }
        if (0x21...0x7E).contains(first) && (0x21...0x7E).contains(last) { return bytes }
        return Array(text.trimmingCharacters(in: .whitespaces).utf8)
    }

    /// Reads ASCII fields from the front of a string's bytes.
    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` decimal digits.
        mutating func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        mutating func skipDigits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func format(epochSeconds: Int64) -> String {
        // Civil-from-days (Howard Hinnant), proleptic Gregorian, no Foundation formatter needed.
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondsOfDay = epochSeconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return String(
            format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", year, month, day,
            secondsOfDay / 3600, (secondsOfDay % 3600) / 60, secondsOfDay % 60)
    }
}
