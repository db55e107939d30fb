import Foundation
import Testing

@testable import TenantPilotCore

extension SchedulingTests {
    /// Named cases for both directions of the change in zones that move differently: Berlin and
    /// New York (1 hour at 02:00/03:00), Lord Howe (30 minutes), Santiago (at midnight).
    @Suite struct TransitionDayTests {
        struct Case: CustomTestStringConvertible, Sendable {
            let name: String
            let zone: String
            let timetable: String
            let after: String
            let expected: [String]
            var testDescription: String { name }
        }

        static let cases: [Case] = [
            // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
            Case(
                name: "Berlin spring: 02:30 does not exist, no run that day", zone: "Europe/Berlin",
                timetable: "at 02:30",
                after: "2026-03-27T12:00:00Z", expected: ["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"]),
            Case(
                name: "Berlin spring: hourly skips 02:00", zone: "Europe/Berlin", timetable: "0 * * * *",
                after: "2026-03-28T23:30:00Z",
                expected: ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"]),
            Case(
                name: "Berlin spring: every 15 minutes around the gap", zone: "Europe/Berlin",
                timetable: "*/15 1-3 * * *",
                after: "2026-03-29T00:40:00Z",
                expected: ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"]),
            Case(
                name: "Berlin fall: 02:30 runs once, at its first occurrence", zone: "Europe/Berlin",
                timetable: "at 02:30",
                after: "2026-10-24T12:00:00Z", expected: ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),
            Case(
                name: "Berlin fall: hourly runs 02:00 once", zone: "Europe/Berlin", timetable: "0 * * * *",
                after: "2026-10-24T23:30:00Z",
                expected: ["2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"]),
            Case(
                name: "Berlin fall: every 15 minutes, repeated hour once", zone: "Europe/Berlin",
                timetable: "*/15 * * * *",
                after: "2026-10-25T00:40:00Z",
                expected: ["2026-10-25T00:45:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:15:00Z"]),
            Case(
                name: "Berlin fall: asked during the second 02:20", zone: "Europe/Berlin", timetable: "*/15 * * * *",
                after: "2026-10-25T01:20:00Z", expected: ["2026-10-25T02:00:00Z"]),
            Case(
                name: "Berlin fall: 02:30 asked during the second 02:20 waits a day", zone: "Europe/Berlin",
                timetable: "at 02:30",
                after: "2026-10-25T01:20:00Z", expected: ["2026-10-26T01:30:00Z"]),
            // America/New_York: 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
            Case(
                name: "New York spring: 02:30 does not exist", zone: "America/New_York", timetable: "at 02:30",
                after: "2026-03-07T12:00:00Z", expected: ["2026-03-09T06:30:00Z"]),
            Case(
                name: "New York spring: cron 30 2 does not move to 03:30", zone: "America/New_York",
                timetable: "30 2 * * *",
                after: "2026-03-08T06:00:00Z", expected: ["2026-03-09T06:30:00Z"]),
            Case(
                name: "New York fall: 01:30 once, in EDT", zone: "America/New_York", timetable: "at 01:30",
                after: "2026-10-31T12:00:00Z", expected: ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]),
            Case(
                name: "New York fall: half-hourly in the repeated hour", zone: "America/New_York",
                timetable: "*/30 1 * * *",
                after: "2026-11-01T04:00:00Z",
                expected: ["2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:00:00Z"]),
            // Australia/Lord_Howe: 2026-04-05 02:00 +11 → 01:30 +10:30; 2026-10-04 02:00 +10:30 → 02:30 +11.
            Case(
                name: "Lord Howe fall: 30-minute repeat runs 01:30 and 01:45 once", zone: "Australia/Lord_Howe",
                timetable: "*/15 1 * * *",
                after: "2026-04-04T14:00:00Z",
                expected: [
                    "2026-04-04T14:15:00Z", "2026-04-04T14:30:00Z", "2026-04-04T14:45:00Z", "2026-04-05T14:30:00Z",
                ]),
            Case(
                name: "Lord Howe spring: 02:00 and 02:15 do not exist", zone: "Australia/Lord_Howe",
                timetable: "*/15 2 * * *",
                after: "2026-10-03T14:00:00Z",
                expected: ["2026-10-03T15:30:00Z", "2026-10-03T15:45:00Z", "2026-10-04T15:00:00Z"]),
            // America/Santiago: 2026-04-05 00:00 -03 → 2026-04-04 23:00 -04; 2026-09-06 00:00 -04 → 01:00 -03.
            Case(
                name: "Santiago spring: midnight does not exist", zone: "America/Santiago", timetable: "at 00:00",
                after: "2026-09-05T12:00:00Z", expected: ["2026-09-07T03:00:00Z"]),
            Case(
                name: "Santiago spring: hourly skips midnight", zone: "America/Santiago", timetable: "0 * * * *",
                after: "2026-09-06T02:30:00Z",
                expected: ["2026-09-06T03:00:00Z", "2026-09-06T04:00:00Z", "2026-09-06T05:00:00Z"]),
            Case(
                name: "Santiago fall: 23:30 runs once, at -03", zone: "America/Santiago", timetable: "at 23:30",
                after: "2026-04-04T12:00:00Z", expected: ["2026-04-05T02:30:00Z", "2026-04-06T03:30:00Z"]),
            Case(
                name: "Santiago fall: hourly runs 23:00 once", zone: "America/Santiago", timetable: "0 * * * *",
                after: "2026-04-05T01:30:00Z", expected: ["2026-04-05T02:00:00Z", "2026-04-05T04:00:00Z"]),
        ]

        @Test(arguments: cases)
        func slotsAroundTheChange(_ example: Case) throws {
            let zone = try ScheduleZone.resolve(example.zone)
            let timetable = try Self.timetable(example.timetable)
            let after = try #require(ISO8601.parse(example.after))
            let slots = timetable.slots(after: after, in: zone, count: example.expected.count)
            #expect(slots.map(ISO8601.string) == example.expected)
            #expect(timetable.nextSlot(after: after, in: zone).map(ISO8601.string) == example.expected.first)
        }

        /// "at HH:MM" or a cron expression.
        static func timetable(_ text: String) throws -> Timetable {
            text.hasPrefix("at ")
                ? try Timetable.localTimes(parsing: [String(text.dropFirst(3))], days: nil)
                : try Timetable.cron(parsing: text)
        }

        @Test func transitionsAreWhereTheCasesAssume() throws {
            // Guards the table above against different tz data in another toolchain.
            let expected: [(String, String, Int, Int)] = [
                ("Europe/Berlin", "2026-03-29T01:00:00Z", 3600, 7200),
                ("Europe/Berlin", "2026-10-25T01:00:00Z", 7200, 3600),
                ("America/New_York", "2026-03-08T07:00:00Z", -18000, -14400),
                ("America/New_York", "2026-11-01T06:00:00Z", -14400, -18000),
                ("Australia/Lord_Howe", "2026-04-04T15:00:00Z", 39600, 37800),
                ("Australia/Lord_Howe", "2026-10-03T15:30:00Z", 37800, 39600),
                ("America/Santiago", "2026-04-05T03:00:00Z", -10800, -14400),
                ("America/Santiago", "2026-09-06T04:00:00Z", -14400, -10800),
            ]
            for (name, instant, before, after) in expected {
                let zone = try #require(TimeZone(identifier: name))
                let date = try #require(ISO8601.parse(instant))
                #expect(zone.secondsFromGMT(for: date.addingTimeInterval(-1)) == before, "\(name) before \(instant)")
                #expect(zone.secondsFromGMT(for: date) == after, "\(name) at \(instant)")
            }
        }

        @Test func dailyAtTheGapIsAbsentOnlyOnTheSpringDay() throws {
            let zone = try ScheduleZone.resolve("Europe/Berlin")
            let timetable = try Timetable.localTimes(parsing: ["02:30"], days: nil)
            let slots = timetable.slots(after: try #require(ISO8601.parse("2026-03-20T00:00:00Z")), in: zone, count: 15)
            let days = slots.map { SlotFormatter.local($0, in: zone) }
            #expect(days.count == 15)
            #expect(!days.contains { $0.hasPrefix("2026-03-29") })
            #expect(days.allSatisfy { $0.hasSuffix("T02:30:00") })
        }

        @Test func countAndLatestSlotAcrossTheRepeatedHour() throws {
            let zone = try ScheduleZone.resolve("Europe/Berlin")
            let timetable = try Timetable.cron(parsing: "*/15 * * * *")
            // 00:00Z (02:00 CEST) … 03:00Z: the second 02:xx CET (01:00Z–01:59Z) has no slots.
            let start = try #require(ISO8601.parse("2026-10-24T23:59:00Z"))
            let end = try #require(ISO8601.parse("2026-10-25T03:00:00Z"))
            #expect(timetable.countSlots(after: start, through: end, in: zone, limit: 100) == 9)
            #expect(timetable.countSlots(after: start, through: end, in: zone, limit: 5) == 5)
            let inRepeat = try #require(ISO8601.parse("2026-10-25T01:50:00Z"))
            let latest = timetable.latestSlot(atOrBefore: inRepeat, notBefore: start, in: zone)
            #expect(latest.map(ISO8601.string) == "2026-10-25T00:45:00Z")
            // Inside the grace window only: none during the repeated hour.
            let grace = inRepeat.addingTimeInterval(-300)
            #expect(timetable.latestSlot(atOrBefore: inRepeat, notBefore: grace, in: zone) == nil)
            // Both bounds inclusive.
            let slot = try #require(ISO8601.parse("2026-10-25T02:15:00Z"))
            #expect(timetable.latestSlot(atOrBefore: slot, notBefore: slot, in: zone) == slot)
        }
    }
}
