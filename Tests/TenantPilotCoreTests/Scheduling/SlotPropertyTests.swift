import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

extension SchedulingTests {
    /// The fast slot search against the minute-by-minute reference, over random timetables in
    /// windows of two days around every transition of several years, in many zones.
    @Suite struct SlotPropertyTests {
        static let zones = [
            "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata",
            "Pacific/Chatham", "UTC", "America/Havana", "Pacific/Apia", "Europe/London",
        ]
        static let years = [2011, 2026, 2031, 2038]
        static let timetablesPerWindow = 16
        static let queriesPerTimetable = 10
        static let baseSeed: UInt64 = 0x7E4A_9171_2026

        @Test(arguments: zones)
        func fastSearchAgreesWithMinuteByMinuteReference(zoneName: String) throws {
            let zone = try #require(TimeZone(identifier: zoneName))
            let seed = Self.baseSeed &+ UInt64(Self.zones.firstIndex(of: zoneName) ?? 0)
            var rng = SeededGenerator(seed: seed)
            var failures = 0
            for window in Self.windows(in: zone, using: &rng) {
                for _ in 0..<Self.timetablesPerWindow {
                    let reference = ReferenceTimetable.random(using: &rng)
                    let context = "seed \(seed), zone \(zoneName), \(reference), window from \(Self.iso(window.start))"
                    let timetable: Timetable
                    do {
                        timetable = try reference.parsed()
                    } catch {
                        // Only a timetable that can never fire may be refused.
                        #expect(!reference.canEverFire, "refused \(context): \(error)")
                        continue
                    }
                    failures += check(
                        timetable, against: window.slots(of: reference), in: window, context: context, using: &rng)
                    if failures > 5 { return }
                }
            }
        }

        /// Returns the number of failed expectations.
        private func check(
            _ timetable: Timetable, against expected: [Int64], in window: BruteForceWindow, context: String,
            using rng: inout SeededGenerator
        ) -> Int {
            var failures = 0
            func expectation(_ condition: Bool, _ message: @autoclosure () -> String) {
                if !condition {
                    failures += 1
                    Issue.record(Comment(rawValue: "\(message()) — \(context)"))
                }
            }
            let zone = window.zone
            // The whole window, slot after slot.
            let listed = timetable.slots(after: Self.date(window.start - 1), in: zone, count: expected.count + 1)
                .map { Int64($0.timeIntervalSince1970) }
            expectation(
                Array(listed.prefix(expected.count)) == expected,
                "slots \(listed.map(Self.iso)) != reference \(expected.map(Self.iso))")
            if listed.count == expected.count + 1, let last = listed.last {
                expectation(last > window.end, "extra slot \(Self.iso(last)) inside the window")
            }
            // One slot per local wall time (a repeated minute counts once).
            let walls = listed.map { ZoneClock(zone: zone).localSeconds(at: $0) }
            expectation(Set(walls).count == walls.count, "a wall time has two slots: \(listed.map(Self.iso))")

            // Random instants, and instants on and just around reference slots.
            var queries: [TimeInterval] = (0..<Self.queriesPerTimetable).map { _ in
                TimeInterval(Int64.random(in: window.start...(window.end - 86_400), using: &rng))
                    + (Bool.random(using: &rng) ? 0 : 0.5)
            }
            if let slot = expected.randomElement(using: &rng) {
                queries += [
                    TimeInterval(slot), TimeInterval(slot) - 1, TimeInterval(slot) - 0.25, TimeInterval(slot) + 0.5,
                ]
            }
            for t in queries {
                let answer = timetable.nextSlot(after: Date(timeIntervalSince1970: t), in: zone).map {
                    Int64($0.timeIntervalSince1970)
                }
                let want = expected.first { TimeInterval($0) > t }
                guard let answer else {
                    expectation(false, "no next slot after \(t)")
                    continue
                }
                expectation(TimeInterval(answer) > t, "next slot \(Self.iso(answer)) is not after \(t)")
                if let want {
                    expectation(
                        answer == want, "next slot after \(t) is \(Self.iso(answer)), reference \(Self.iso(want))")
                } else {
                    expectation(
                        answer > window.end,
                        "next slot after \(t) is \(Self.iso(answer)), but the reference has none up to \(Self.iso(window.end))"
                    )
                }
                // Every instant from t up to the answer gives the same answer.
                let between = TimeInterval.random(in: t..<TimeInterval(answer), using: &rng)
                for u in [between, TimeInterval(answer) - 1, TimeInterval(answer) - 0.001] where u >= t {
                    let again = timetable.nextSlot(after: Date(timeIntervalSince1970: u), in: zone).map {
                        Int64($0.timeIntervalSince1970)
                    }
                    expectation(
                        again == answer,
                        "next slot after \(u) is \(again.map(Self.iso) ?? "nil"), after \(t) it is \(Self.iso(answer))")
                }
            }
            return failures
        }

        /// Two-day windows starting up to 30 hours before each transition of the chosen years, plus
        /// one random window per year.
        static func windows(in zone: TimeZone, using rng: inout SeededGenerator) -> [BruteForceWindow] {
            var starts: [Int64] = []
            for year in years {
                let yearStart = Int64(CivilDateForTests.epochSeconds(year: year, month: 1, day: 1))
                let yearEnd = Int64(CivilDateForTests.epochSeconds(year: year + 1, month: 1, day: 1))
                var cursor = Date(timeIntervalSince1970: TimeInterval(yearStart))
                while let transition = zone.nextDaylightSavingTimeTransition(after: cursor),
                    transition.timeIntervalSince1970 < TimeInterval(yearEnd)
                {
                    let lead = Int64.random(in: 0...(30 * 60), using: &rng) * 60
                    starts.append(Int64(transition.timeIntervalSince1970) / 60 * 60 - lead)
                    cursor = transition
                }
                starts.append(Int64.random(in: yearStart..<(yearEnd - 3 * 86_400), using: &rng) / 60 * 60)
            }
            return starts.map { BruteForceWindow(zone: zone, start: $0, end: $0 + 2 * 86_400) }
        }

        static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
        static func iso(_ seconds: Int64) -> String { ISO8601.string(date(seconds)) }
    }
}

/// Epoch seconds of a UTC date, through Foundation (independent of the code under test).
enum CivilDateForTests {
    static func epochSeconds(year: Int, month: Int, day: Int) -> TimeInterval {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT") ?? .gmt
        return calendar.date(from: DateComponents(year: year, month: month, day: day))?.timeIntervalSince1970 ?? 0
    }
}
