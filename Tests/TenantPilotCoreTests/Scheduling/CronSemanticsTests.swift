import Foundation
import Testing

@testable import TenantPilotCore

extension SchedulingTests {
    /// What cron expressions match, checked on known dates in UTC (2026-06-01 is a Monday).
    @Suite struct CronSemanticsTests {
        static func slots(_ expression: String, after: String, count: Int, zone: String = "UTC") throws -> [String] {
            let timetable = try Timetable.cron(parsing: expression)
            let start = try #require(ISO8601.parse(after))
            return timetable.slots(after: start, in: try ScheduleZone.resolve(zone), count: count).map(ISO8601.string)
        }

        @Test func sevenAndZeroAndSunAreSunday() throws {
            let expected = ["2026-06-07T00:00:00Z", "2026-06-14T00:00:00Z"]
            for field in ["0", "7", "sun", "SUN", "6-7"] where field != "6-7" {
                #expect(
                    try Self.slots("0 0 * * \(field)", after: "2026-06-01T00:00:00Z", count: 2) == expected, "\(field)")
            }
            #expect(
                try Self.slots("0 0 * * 6-7", after: "2026-06-01T00:00:00Z", count: 3)
                    == ["2026-06-06T00:00:00Z", "2026-06-07T00:00:00Z", "2026-06-13T00:00:00Z"])
        }

        @Test func bothDayFieldsRestrictedMatchEither() throws {
            // The 15th, or any Friday.
            #expect(
                try Self.slots("0 0 15 * fri", after: "2026-06-01T00:00:00Z", count: 4)
                    == ["2026-06-05T00:00:00Z", "2026-06-12T00:00:00Z", "2026-06-15T00:00:00Z", "2026-06-19T00:00:00Z"])
        }

        @Test func aDayFieldStartingWithStarIsUnrestricted() throws {
            // `*/2` is odd days AND Mondays (Vixie treats a field starting with `*` as unrestricted).
            #expect(
                try Self.slots("0 0 */2 * mon", after: "2026-06-01T00:00:00Z", count: 3)
                    == ["2026-06-15T00:00:00Z", "2026-06-29T00:00:00Z", "2026-07-13T00:00:00Z"])
            #expect(
                try Self.slots("0 0 1 * *", after: "2026-06-01T00:00:00Z", count: 2) == [
                    "2026-07-01T00:00:00Z", "2026-08-01T00:00:00Z",
                ])
            #expect(try Self.slots("0 0 * * mon", after: "2026-06-01T00:00:00Z", count: 1) == ["2026-06-08T00:00:00Z"])
        }

        @Test func listsRangesStepsAndNames() throws {
            #expect(
                try Self.slots("5,10-20/5,50-59/7 9 * * *", after: "2026-06-01T00:00:00Z", count: 6)
                    == [
                        "2026-06-01T09:05:00Z", "2026-06-01T09:10:00Z", "2026-06-01T09:15:00Z", "2026-06-01T09:20:00Z",
                        "2026-06-01T09:50:00Z", "2026-06-01T09:57:00Z",
                    ])
            #expect(
                try Self.slots("0 12 1 jan,Jul-aug/1 *", after: "2026-06-01T00:00:00Z", count: 3)
                    == ["2026-07-01T12:00:00Z", "2026-08-01T12:00:00Z", "2027-01-01T12:00:00Z"])
            #expect(
                try Self.slots("30/15 22 * * *", after: "2026-06-01T00:00:00Z", count: 3)
                    == ["2026-06-01T22:30:00Z", "2026-06-01T22:45:00Z", "2026-06-02T22:30:00Z"])
        }

        @Test func rareExpressionsJumpYears() throws {
            #expect(
                try Self.slots("0 0 29 2 *", after: "2026-01-01T00:00:00Z", count: 2) == [
                    "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z",
                ])
            #expect(try Self.slots("0 0 29 2 *", after: "2096-03-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00Z"])
            // Feb 1 AND Monday (the day-of-month field starts with `*`).
            #expect(
                try Self.slots("0 0 */31 2 mon", after: "2026-01-01T00:00:00Z", count: 2) == [
                    "2027-02-01T00:00:00Z", "2038-02-01T00:00:00Z",
                ])
            // Feb 29 OR any Monday of February.
            #expect(
                try Self.slots("0 0 29 2 1", after: "2026-01-01T00:00:00Z", count: 2) == [
                    "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z",
                ])
        }

        @Test func neverAtOrBeforeTheInstantAsked() throws {
            let timetable = try Timetable.cron(parsing: "* * * * *")
            let slot = try #require(ISO8601.parse("2026-06-01T10:00:00Z"))
            for (offset, expected) in [
                (-0.5, "2026-06-01T10:00:00Z"), (0, "2026-06-01T10:01:00Z"), (0.5, "2026-06-01T10:01:00Z"),
                (-60, "2026-06-01T10:00:00Z"),
            ] {
                #expect(
                    timetable.nextSlot(after: slot.addingTimeInterval(offset), in: .gmt).map(ISO8601.string)
                        == expected, "\(offset)")
            }
        }
    }

    /// Zone names and how slots are printed.
    @Suite struct ScheduleZoneTests {
        @Test(arguments: ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"])
        func knownZonesResolve(_ name: String) throws {
            #expect(
                try ScheduleZone.resolve(name).secondsFromGMT(for: Date())
                    == TimeZone(identifier: name)?.secondsFromGMT(for: Date()))
        }

        @Test func unknownZoneSuggestsTheNearest() {
            #expect(throws: TenantPilotError.invalid("unknown time zone \"Europe/Berln\"; did you mean Europe/Berlin?"))
            {
                try ScheduleZone.resolve("Europe/Berln")
            }
            #expect(
                throws: TenantPilotError.invalid("unknown time zone \"europe/berlin\"; did you mean Europe/Berlin?")
            ) {
                try ScheduleZone.resolve("europe/berlin")
            }
            #expect(throws: TenantPilotError.self) { try ScheduleZone.resolve("Mars/Olympus_Mons") }
            #expect(throws: TenantPilotError.self) { try ScheduleZone.resolve("GMT+2") }
            #expect(throws: TenantPilotError.self) { try ScheduleZone.resolve("EST") }
            #expect(throws: TenantPilotError.self) { try ScheduleZone.resolve("Europe/Nowhere") }
            #expect(throws: TenantPilotError.self) { try ScheduleZone.resolve("") }
        }

        @Test(arguments: [
            ("Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29T03:00:00", "+02:00"),
            ("Europe/Berlin", "2026-03-29T00:59:00Z", "2026-03-29T01:59:00", "+01:00"),
            ("Asia/Kolkata", "2026-01-01T00:00:00Z", "2026-01-01T05:30:00", "+05:30"),
            ("America/Santiago", "2026-09-06T04:00:00Z", "2026-09-06T01:00:00", "-03:00"),
            ("Pacific/Chatham", "2026-01-01T00:00:00Z", "2026-01-01T13:45:00", "+13:45"),
            ("Pacific/Marquesas", "2026-01-01T00:00:00Z", "2025-12-31T14:30:00", "-09:30"),
            ("UTC", "2026-01-01T00:00:07Z", "2026-01-01T00:00:07", "+00:00"),
        ])
        func slotFormatter(_ zoneName: String, _ instant: String, _ local: String, _ offset: String) throws {
            let zone = try ScheduleZone.resolve(zoneName)
            let date = try #require(ISO8601.parse(instant))
            #expect(SlotFormatter.local(date, in: zone) == local)
            #expect(SlotFormatter.utcOffset(date, in: zone) == offset)
        }
    }
}
