import Foundation

/// Durations as the command line writes them: `90s`, `10m`, `1h` (docs/cli.md).
public enum DurationText {
    /// 366 days, in seconds.
    public static let longest: TimeInterval = 366 * 86_400

    public static func parse(_ text: String, option: String) throws(TenantPilotError) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let value = Int(trimmed.dropLast()), value >= 0 else {
            throw .invalid("\(option) \"\(text)\" is not a duration (examples: 90s, 10m, 1h)")
        }
        let seconds: TimeInterval
        switch unit {
        case "s": seconds = TimeInterval(value)
        case "m": seconds = TimeInterval(value) * 60
        case "h": seconds = TimeInterval(value) * 3600
        default: throw .invalid("\(option) \"\(text)\" is not a duration (examples: 90s, 10m, 1h)")
        }
        // Longer spans mean nothing to a scheduler and would overflow the instants they shift.
        guard seconds <= longest else {
            throw .invalid("\(option) \"\(text)\" is longer than the longest duration accepted, 8784h (366 days)")
        }
        return seconds
    }
}
