import Foundation

/// A schedule's time zone: an IANA identifier known to the toolchain's tz data (ICU).
public enum ScheduleZone {
    /// The zone named `identifier` (exact spelling, or `UTC`); an unknown name is refused with
    /// the nearest known one.
    ///
    /// `TimeZone.knownTimeZoneIdentifiers` lists ICU's canonical names, which lag behind IANA:
    /// it has `Asia/Calcutta` but not `Asia/Kolkata`. So an `Area/Location` name that ICU
    /// resolves is accepted too; offsets and abbreviations (`GMT+2`, `EST`, `CET`) are not.
    public static func resolve(_ identifier: String) throws(TenantPilotError) -> TimeZone {
        // No IANA name is longer than 32 characters: a longer one is refused at once, without
        // measuring its distance to every known name (a 100 KB value took seconds).
        guard identifier.utf8.count <= maximumLength else {
            throw .invalid(
                "unknown time zone \(PlainText.escaped(String(identifier.prefix(40))).debugDescription)… "
                    + "(\(identifier.utf8.count) bytes; expected an IANA name such as Europe/Berlin)")
        }
        if identifier == "UTC" {
            return TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .gmt
        }
        if knownIdentifiers.contains(identifier) || isAreaLocation(identifier),
            let zone = TimeZone(identifier: identifier)
        {
            return zone
        }
        var message = "unknown time zone \(PlainText.escaped(identifier).debugDescription)"
        if let suggestion = suggestion(for: identifier) {
            message += "; did you mean \(suggestion)?"
        } else {
            message += " (expected an IANA name such as Europe/Berlin or America/New_York)"
        }
        throw .invalid(message)
    }

    /// The version of the time-zone rules this binary computes with (ICU's tz data, `2025b`).
    public static var dataVersion: String { TimeZone.timeZoneDataVersion }

    /// Longer than any zone name, with room to spare.
    static let maximumLength = 64

    private static let knownIdentifiers = Set(TimeZone.knownTimeZoneIdentifiers)

    /// `Area/Location` or `Area/Region/Location`, as IANA names are spelled.
    private static func isAreaLocation(_ identifier: String) -> Bool {
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        return (2...3).contains(parts.count)
            && parts.allSatisfy { part in
                part.first?.isUppercase == true
                    && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-+".contains($0)) }
            }
    }

    /// The known identifier nearest to `identifier`, compared case-insensitively, when it is
    /// close enough to be a plausible typo.
    static func suggestion(for identifier: String) -> String? {
        let wanted = identifier.lowercased()
        guard !wanted.isEmpty else { return nil }
        var best: (name: String, distance: Int)?
        for name in knownIdentifiers.union(["UTC"]).sorted() {
            let distance = EditDistance.between(wanted, name.lowercased())
            if distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        guard let best, best.distance <= max(2, wanted.count / 4) else { return nil }
        return best.name
    }
}
