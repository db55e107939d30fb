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

    /// Parses `2026-03-29T01:30:00Z`, `…T01:30Z`, fractional seconds, or an explicit offset.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return date }
        }
        // Minute precision without seconds: 2026-03-29T01:30Z / +02:00.
        if let range = trimmed.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?=Z|[+-]\d{2}:?\d{2}$)"#, options: .regularExpression) {
            let withSeconds = trimmed[range] + ":00" + trimmed[range.upperBound...]
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: String(withSeconds))
        }
        return nil
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
