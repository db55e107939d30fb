import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// The calendar rules (`--keep-daily/weekly/monthly/yearly`) against a reference written as
/// restic's `forget` is, with Foundation's calendars for the periods: two independent ways to
/// the same decision.
@Suite struct CalendarRetentionTests {
    typealias Candidate = RetentionRules.Candidate

    static func instant(_ text: String) -> Instant {
        Instant(text: text) ?? Instant(secondsSince1970: 0)
    }

    static func zone(_ name: String) -> TimeZone {
        TimeZone(identifier: name) ?? .gmt
    }

    // MARK: - Examples

    @Test func aDayIsTheScheduleZonesDayNotUTCs() {
        // 23:30 UTC on 28 March is already 29 March in Berlin (+01:00).
        let sets = [
            Candidate(id: 1, status: .complete, createdAt: Self.instant("2026-03-28T22:30:00Z")),
            Candidate(id: 2, status: .complete, createdAt: Self.instant("2026-03-28T23:30:00Z")),
        ]
        let berlin = RetentionRules.decide(
            sets: sets, policy: RetentionPolicy(keepDaily: 2), zone: Self.zone("Europe/Berlin"))
        #expect(berlin[1]?.reasons == ["newest of 2026-03-28 (keep-daily 2)"])
        #expect(berlin[2]?.reasons == ["newest of 2026-03-29 (keep-daily 2)", "newest complete set"])
        let utc = RetentionRules.decide(sets: sets, policy: RetentionPolicy(keepDaily: 2), zone: Self.zone("UTC"))
        #expect(utc[1]?.action == .delete)
        #expect(utc[1]?.reasons == ["kept by no rule (daily 2)"])
        #expect(utc[2]?.keepers.map(\.key) == ["daily", "newest_complete"])
    }

    @Test(arguments: [
        ("2026-12-31T12:00:00Z", "2026-W53"),  // a Thursday: 2026 has 53 ISO weeks
        ("2027-01-03T12:00:00Z", "2026-W53"),  // Sunday of the same week
        ("2027-01-04T12:00:00Z", "2027-W01"),
        ("2024-12-30T12:00:00Z", "2025-W01"),  // a Monday in December, already week 1 of 2025
        ("2021-01-03T12:00:00Z", "2020-W53"),
        ("2026-03-29T12:00:00Z", "2026-W13"),
    ])
    func isoWeeks(at text: String, label: String) {
        let periods = RetentionCalendar(zone: Self.zone("UTC")).periods(of: Self.instant(text))
        #expect(periods.label(.weekly) == label)
    }

    @Test func theLastNDaysAreDaysThatHaveASet() {
        // Sets on 1, 2, 5 and 9 March (two on the 9th): keep-daily 3 keeps the newest of the 9th,
        // the 5th and the 2nd; the gap days are not counted.
        let times = [
            "2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z", "2026-03-05T02:00:00Z", "2026-03-09T02:00:00Z",
            "2026-03-09T14:00:00Z",
        ]
        let sets = times.enumerated().map {
            Candidate(id: Int64($0.offset + 1), status: .partial, createdAt: Self.instant($0.element))
        }
        let verdicts = RetentionRules.decide(sets: sets, policy: RetentionPolicy(keepDaily: 3), zone: .gmt)
        #expect(sets.map { verdicts[$0.id]?.action == .keep ? "k" : "d" }.joined() == "dkkdk")
    }

    @Test func aSetIsKeptWhenAnyRuleKeepsItAndEveryRuleIsNamed() throws {
        let sets = [
            Candidate(id: 1, status: .complete, createdAt: Self.instant("2025-12-31T02:00:00Z")),
            Candidate(id: 2, status: .complete, createdAt: Self.instant("2026-01-31T02:00:00Z"), pinned: true),
            Candidate(id: 3, status: .complete, createdAt: Self.instant("2026-02-01T02:00:00Z")),
            Candidate(id: 4, status: .partial, createdAt: Self.instant("2026-02-02T02:00:00Z")),
        ]
        let policy = RetentionPolicy(keepLast: 1, keepDaily: 1, keepMonthly: 2, keepYearly: 2)
        let verdicts = RetentionRules.decide(sets: sets, policy: policy, zone: .gmt)
        #expect(verdicts[4]?.keepers.map(\.key) == ["last", "daily", "monthly", "yearly"])
        #expect(verdicts[3]?.keepers.map(\.key) == ["newest_complete"])
        #expect(verdicts[2]?.keepers.map(\.key) == ["monthly", "pinned"])
        #expect(verdicts[1]?.keepers.map(\.key) == ["yearly"])
        #expect(verdicts[1]?.reasons == ["newest of 2025 (keep-yearly 2)"])
        #expect(verdicts[2]?.reasons == ["newest of 2026-01 (keep-monthly 2)", "pinned"])
    }

    @Test func aPinnedSetAndTheNewestCompleteSetSurviveTheSmallestRules() {
        let sets: [Candidate] = (1...10).map { (number: Int) -> Candidate in
            let createdAt = Instant(secondsSince1970: 1_780_000_000 + Int64(number) * 3600)
            let status: BackupSetOutcome = number == 3 ? .complete : .partial
            return Candidate(id: Int64(number), status: status, createdAt: createdAt, pinned: number == 1)
        }
        let verdicts = RetentionRules.decide(sets: sets, policy: RetentionPolicy(keepLast: 1), zone: .gmt)
        let kept: [Int64] = sets.filter { verdicts[$0.id]?.action == .keep }.map { $0.id }
        #expect(kept == [1, 3, 10])
        #expect(verdicts[1]?.reasons == ["pinned"])
    }

    @Test func withoutAnyRuleTheNewestThirtyAreKept() {
        let sets = (1...40).map {
            Candidate(id: Int64($0), status: .complete, createdAt: Instant(secondsSince1970: Int64($0) * 86_400))
        }
        let verdicts = RetentionRules.decide(sets: sets, policy: RetentionPolicy(), zone: .gmt)
        #expect(sets.filter { verdicts[$0.id]?.action == .keep }.map(\.id) == Array(11...40))
        #expect(verdicts[10]?.reasons == ["older than the newest 30"])
        // A calendar rule alone: keep-last is not 30 any more.
        let daily = RetentionRules.decide(sets: sets, policy: RetentionPolicy(keepDaily: 5), zone: .gmt)
        #expect(sets.filter { daily[$0.id]?.action == .keep }.map(\.id) == Array(36...40))
    }

    // MARK: - Property

    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "UTC", "Pacific/Apia",
        "America/Santiago", "Asia/Kolkata",
    ]

    @Test(arguments: zones)
    func agreesWithTheReference(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let seed = 0x5E7A_2026 &+ UInt64(Self.zones.firstIndex(of: zoneName) ?? 0)
        var rng = SeededGenerator(seed: seed)
        for round in 0..<150 {
            var time = Int64.random(in: 1_600_000_000...1_900_000_000, using: &rng)
            let count = Int.random(in: 0...120, using: &rng)
            // Gaps from a minute to weeks, so that days, weeks and months both repeat and skip.
            let spans: [Int64] = [60, 3_600, 6 * 3_600, 86_400, 3 * 86_400, 20 * 86_400]
            let sets = (0..<count).map { index -> Candidate in
                time += Int64.random(in: 60...(spans.randomElement(using: &rng) ?? 86_400), using: &rng)
                return Candidate(
                    id: Int64(index + 1), status: Bool.random(using: &rng) ? .complete : .partial,
                    createdAt: Instant(secondsSince1970: time), pinned: Int.random(in: 0..<12, using: &rng) == 0)
            }
            func rule() -> Int? { Bool.random(using: &rng) ? nil : Int.random(in: 1...15, using: &rng) }
            let policy = RetentionPolicy(
                keepLast: rule(), keepDaily: rule(), keepWeekly: rule(), keepMonthly: rule(), keepYearly: rule())
            let verdicts = RetentionRules.decide(sets: sets, policy: policy, zone: zone)
            let expected = ReferenceRetention.decide(sets, policy: policy, zone: zone)
            for set in sets {
                let got = verdicts[set.id]?.keepers.map(\.key) ?? ["missing"]
                #expect(
                    got == expected[set.id, default: []],
                    "seed \(seed) round \(round) set \(set.id) at \(set.createdAt) under \(policy.summary)")
                if got != expected[set.id, default: []] { return }
            }
        }
    }
}

/// restic's `forget` as written there: walk the sets newest first; each rule with count left keeps
/// a set whose period differs from the period of the last set that rule kept. The periods come
/// from Foundation's Gregorian and ISO 8601 calendars in the zone.
enum ReferenceRetention {
    static func decide(_ sets: [RetentionRules.Candidate], policy: RetentionPolicy, zone: TimeZone) -> [Int64:
        [String]]
    {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = zone
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = zone
        func period(_ name: String, _ set: RetentionRules.Candidate, _ index: Int) -> String {
            let date = set.createdAt.date
            switch name {
            case "last": return "\(index)"
            case "daily":
                let parts = gregorian.dateComponents([.year, .month, .day], from: date)
                return "\(parts.year ?? 0)-\(parts.month ?? 0)-\(parts.day ?? 0)"
            case "weekly":
                let parts = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
                return "\(parts.yearForWeekOfYear ?? 0)-W\(parts.weekOfYear ?? 0)"
            case "monthly":
                let parts = gregorian.dateComponents([.year, .month], from: date)
                return "\(parts.year ?? 0)-\(parts.month ?? 0)"
            default:
                return "\(gregorian.component(.year, from: date))"
            }
        }
        let last = policy.hasRule ? policy.keepLast : 30
        var rules: [(name: String, left: Int, lastPeriod: String?)] = [
            ("last", last ?? 0, nil), ("daily", policy.keepDaily ?? 0, nil), ("weekly", policy.keepWeekly ?? 0, nil),
            ("monthly", policy.keepMonthly ?? 0, nil), ("yearly", policy.keepYearly ?? 0, nil),
        ]
        let newestFirst = sets.sorted { $0.createdAt > $1.createdAt }
        let newestComplete = newestFirst.first { $0.status == .complete }?.id
        var result: [Int64: [String]] = [:]
        for (index, set) in newestFirst.enumerated() {
            var keepers: [String] = []
            for number in rules.indices where rules[number].left > 0 {
                let value = period(rules[number].name, set, index)
                if value != rules[number].lastPeriod {
                    keepers.append(rules[number].name)
                    rules[number].lastPeriod = value
                    rules[number].left -= 1
                }
            }
            if set.pinned { keepers.append("pinned") }
            if set.id == newestComplete { keepers.append("newest_complete") }
            result[set.id] = keepers
        }
        return result
    }
}
