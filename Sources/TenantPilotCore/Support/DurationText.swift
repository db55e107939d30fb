import Foundation

/// Durations as the command line writes them: `90s`, `10m`, `1h` (SPEC §3).
public enum DurationText {
    public static func parse(_ text: String, option: String) throws(TenantPilotError) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let value = Int(trimmed.dropLast()), value >= 0 else {
            throw .invalid("\(option) \"\(text)\" is not a duration (examples: 90s, 10m, 1h)")
        }
        switch unit {
        case "s": return TimeInterval(value)
        case "m": return TimeInterval(value) * 60
        case "h": return TimeInterval(value) * 3600
        default: throw .invalid("\(option) \"\(text)\" is not a duration (examples: 90s, 10m, 1h)")
        }
    }
}
