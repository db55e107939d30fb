import Foundation

/// Conversions between UTC instants and local wall-clock seconds in one zone, done with
/// `TimeZone.secondsFromGMT(for:)` only (the zone rules of the toolchain's ICU data), never
/// with `Calendar.date(from:)`, which moves a non-existent 02:30 to 03:30.
///
/// "Local seconds" are wall-clock seconds counted as if the wall clock were UTC:
/// `local = utc + offset(utc)`.
struct ZoneClock: Sendable {
    let zone: TimeZone

    /// Wall-clock seconds of `utc`.
    func localSeconds(at utc: Int64) -> Int64 {
        utc + Int64(offset(at: utc))
    }

    func offset(at utc: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc)))
    }

    /// The earliest UTC instant whose wall clock reads `local`, or nil when `local` falls in a
    /// gap (spring forward) and so never occurs.
    ///
    /// Any instant `u` with `u + offset(u) == local` lies within a day of `local` (offsets are
    /// within ±15 h), so the offsets in force a day before and a day after `local` (and one
    /// guessed in between) are the candidates; each is checked by round trip, and the largest
    /// valid offset gives the earliest instant (the first occurrence of a repeated minute).
    func firstInstant(ofLocal local: Int64) -> Int64? {
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        let guess = offset(at: local - Int64(before))
        var best: Int64?
        for candidate in [before, after, guess] {
            let utc = local - Int64(candidate)
            if let current = best, utc >= current { continue }
            if offset(at: utc) == candidate { best = utc }
        }
        return best
    }
}
