import Foundation

/// A UTC instant to the whole second: the type of every `*_at` column and of
/// `scheduled_for`, and of every time in `--json` output. Its text form is exactly
/// `ISO8601.string` (`2026-03-29T01:30:00Z`); a slot is an instant on a whole minute
/// (`minute`), which is `ISO8601.minuteString`'s form.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Int64

    /// Instants beyond ±2^53 seconds are held at that bound (no `Date` reaches them in use; a
    /// conversion of a larger value would trap).
    static let bound: Int64 = 1 << 53

    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = min(max(secondsSince1970, -Self.bound), Self.bound)
    }

    /// The whole second `date` falls in (fractions are dropped, as `ISO8601.string` drops them).
    public init(_ date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite else {
            self.init(secondsSince1970: seconds < 0 ? -Self.bound : Self.bound)
            return
        }
        self.init(secondsSince1970: Int64(min(max(seconds, -Double(Self.bound)), Double(Self.bound))))
    }

    /// Parses the text form; also the other ISO-8601 forms `ISO8601.parse` reads, and the
    /// five-digit years that `text` writes after 9999.
    public init?(text: String) {
        if let date = ISO8601.parse(text) {
            self.init(date)
            return
        }
        // `YYYYY-…`: shift by whole 400-year Gregorian cycles (146,097 days) into 0000–9999.
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard digits.count > 4, let year = Int64(digits) else { return nil }
        let cycles = (year - 9999 + 399) / 400
        let shifted = String(format: "%04lld", year - cycles * 400) + text.dropFirst(digits.count)
        guard let date = ISO8601.parse(shifted) else { return nil }
        self.init(secondsSince1970: Instant(date).secondsSince1970 + cycles * 146_097 * 86_400)
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSince1970)) }

    /// The start of this instant's minute: the form of a slot.
    public var minute: Instant {
        Instant(secondsSince1970: secondsSince1970 - ((secondsSince1970 % 60) + 60) % 60)
    }

    /// `2026-03-29T01:30:00Z`: the form stored and printed.
    public var text: String { ISO8601.string(date) }

    public var description: String { text }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let instant = Instant(text: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an ISO-8601 instant")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
