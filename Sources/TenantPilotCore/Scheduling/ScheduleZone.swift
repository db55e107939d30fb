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
        let sameRules = canonicalZones(forAbbreviation: identifier)
        if !sameRules.isEmpty {
            message +=
                ": an abbreviation names no rules for daylight saving time; zones that follow the same rules: "
                + sameRules.joined(separator: ", ")
        } else if let suggestion = suggestion(for: identifier) {
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

    /// Well-known canonical zones, offered first when several follow an abbreviation's rules.
    static let wellKnown = [
        "Europe/Berlin", "Europe/Paris", "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome", "Europe/London",
        "Europe/Dublin", "Europe/Lisbon", "Europe/Helsinki", "Europe/Athens", "Europe/Moscow", "America/New_York",
        "America/Toronto", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
        "America/Anchorage", "America/Halifax", "America/Sao_Paulo", "America/Mexico_City", "Pacific/Honolulu",
        "Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Kolkata",
        "Asia/Dubai", "Asia/Jerusalem", "Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide",
        "Australia/Perth", "Pacific/Auckland", "Africa/Johannesburg", "Africa/Cairo", "Africa/Lagos",
    ]

    /// For an abbreviation or a legacy zone name (`CET`, `EST`, `PST`, `EST5EDT`), up to four
    /// canonical `Area/Location` zones whose offsets and daylight-saving transitions are the same
    /// over the next two years — well-known ones first; empty for anything else.
    static func canonicalZones(forAbbreviation text: String) -> [String] {
        guard (2...8).contains(text.count), text.allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber }),
            text.first?.isLetter == true
        else { return [] }
        // What the abbreviation stands for: Foundation's mapping (EST → America/New_York), else
        // the legacy zone of that name (CET, EET, MST7MDT).
        let mapped = TimeZone.abbreviationDictionary[text].flatMap(TimeZone.init(identifier:))
        guard let reference = mapped ?? TimeZone(identifier: text) ?? TimeZone(abbreviation: text) else { return [] }
        let signature = rules(of: reference)
        let candidates = wellKnown + knownIdentifiers.filter { isAreaLocation($0) }.sorted()
        var found: [String] = []
        for name in candidates where !found.contains(name) {
            guard let zone = TimeZone(identifier: name), rules(of: zone) == signature else { continue }
            found.append(name)
            if found.count == 4 { break }
        }
        return found
    }

    /// The offset now and the next six transitions (instant and offset after) within two years.
    private static func rules(of zone: TimeZone) -> [Int] {
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let end = start.addingTimeInterval(2 * 366 * 86_400)
        var signature = [zone.secondsFromGMT(for: start)]
        var instant = start
        for _ in 0..<6 {
            guard let next = zone.nextDaylightSavingTimeTransition(after: instant), next < end else { break }
            signature += [Int(next.timeIntervalSince1970), zone.secondsFromGMT(for: next.addingTimeInterval(1))]
            instant = next
        }
        return signature
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
