import Foundation
import Testing

@testable import TenantPilotCore

extension SchedulingTests {
    /// Reading `--at`/`--days`/`--cron`, the stored JSON form, and the summary.
    @Suite struct TimetableParsingTests {
        @Test func localTimesAreSortedUniqueAndZeroPadded() throws {
            let timetable = try Timetable.localTimes(parsing: ["14:30,2:00", " 02:00 "], days: nil)
            #expect(
                timetable
                    == .localTimes(
                        times: [try LocalTime(parsing: "02:00"), try LocalTime(parsing: "14:30")], weekdays: nil))
            #expect(timetable.summary == "02:00, 14:30 every day")
        }

        @Test(arguments: ["25:00", "24:00", "12:60", "1200", "ab:cd", "-1:00", "12:5", "123:00", "12:00:00", "１２:00"])
        func invalidTimesAreRefusedNamingTheValue(_ text: String) {
            #expect(throws: TenantPilotError.invalid("\"\(text)\" is not a valid time (expected HH:MM, 00:00–23:59)")) {
                try Timetable.localTimes(parsing: [text], days: nil)
            }
        }

        @Test func emptyTimesAreRefused() {
            #expect(throws: TenantPilotError.self) { try Timetable.localTimes(parsing: [], days: nil) }
            #expect(throws: TenantPilotError.self) { try Timetable.localTimes(parsing: ["02:00,"], days: nil) }
        }

        @Test(arguments: [
            ("mon,tue", ["mon", "tue"]), ("MON-FRI", ["mon", "tue", "wed", "thu", "fri"]),
            ("weekdays", ["mon", "tue", "wed", "thu", "fri"]), ("weekends", ["sat", "sun"]),
            ("Monday, friday", ["mon", "fri"]), ("sat-mon", ["mon", "sat", "sun"]), ("fri,fri", ["fri"]),
        ])
        func daySets(_ text: String, _ expected: [String]) throws {
            let timetable = try Timetable.localTimes(parsing: ["02:00"], days: text)
            guard case .localTimes(_, let weekdays?) = timetable else {
                Issue.record("expected a weekday set for \(text)")
                return
            }
            #expect(weekdays.sorted().map(\.rawValue) == expected)
        }

        @Test func allSevenDaysMeanEveryDay() throws {
            #expect(
                try Timetable.localTimes(parsing: ["02:00"], days: "mon-sun")
                    == Timetable.localTimes(parsing: ["02:00"], days: nil))
        }

        @Test func unknownWeekdayIsNamed() {
            #expect(throws: TenantPilotError.invalid("\"funday\" is not a weekday (mon, tue, wed, thu, fri, sat, sun)"))
            {
                try Timetable.localTimes(parsing: ["02:00"], days: "mon,funday")
            }
            #expect(throws: TenantPilotError.self) { try Timetable.localTimes(parsing: ["02:00"], days: "mon,,tue") }
            #expect(throws: TenantPilotError.self) { try Timetable.localTimes(parsing: ["02:00"], days: "mon-tue-wed") }
        }

        @Test func summaries() throws {
            #expect(try Timetable.localTimes(parsing: ["02:00"], days: "fri,mon").summary == "02:00 on mon,fri")
            #expect(try Timetable.cron(parsing: " 0  2 * *\t1-5 ").summary == "cron \"0 2 * * 1-5\"")
        }

        // MARK: - JSON form

        static func json(_ timetable: Timetable) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(timetable), as: UTF8.self)
        }

        static func decode(_ json: String) throws -> Timetable {
            try JSONDecoder().decode(Timetable.self, from: Data(json.utf8))
        }

        @Test func jsonForms() throws {
            #expect(
                try Self.json(Timetable.localTimes(parsing: ["14:30", "02:00"], days: "fri,mon"))
                    == #"{"at":["02:00","14:30"],"days":["mon","fri"]}"#)
            #expect(try Self.json(Timetable.localTimes(parsing: ["2:00"], days: nil)) == #"{"at":["02:00"]}"#)
            #expect(try Self.json(Timetable.cron(parsing: "0   2 * *  MON-fri")) == #"{"cron":"0 2 * * MON-fri"}"#)
        }

        @Test(arguments: [
            #"{"at":["02:00","14:30"],"days":["mon","fri"]}"#, #"{"at":["23:59"]}"#,
            #"{"cron":"*/15 0-3 1,15 jan-mar 7"}"#,
        ])
        func jsonRoundTrips(_ json: String) throws {
            let timetable = try Self.decode(json)
            #expect(try Self.decode(Self.json(timetable)) == timetable)
        }

        @Test(arguments: [
            #"{"at":["25:00"]}"#, #"{"at":["02:00"],"days":["funday"]}"#, #"{"cron":"0 0 31 2 *"}"#,
            #"{"cron":"0 2 * *"}"#,
            #"{"at":["02:00"],"cron":"0 2 * * *"}"#, #"{"cron":"0 2 * * *","days":["mon"]}"#, #"{}"#, #"{"at":[]}"#,
        ])
        func decodingValidatesAgain(_ json: String) {
            #expect(throws: DecodingError.self) { try Self.decode(json) }
        }

        // MARK: - Cron

        @Test(arguments: [
            ("0 2 * *", "has 4 fields"), ("0 2 * * * *", "has 6 fields"),
            ("60 * * * *", "minute field \"60\": 60 is out of range 0–59"),
            ("0 24 * * *", "hour field \"24\": 24 is out of range 0–23"), ("0 0 0 * *", "day-of-month field \"0\""),
            ("0 0 * 13 *", "month field \"13\""), ("0 0 * * 8", "day-of-week field \"8\""),
            ("0 0 * * funday", "\"funday\" is not a number"),
            ("*/0 * * * *", "step \"0\""), ("5-1 * * * *", "range 5-1 goes backwards"),
            ("1,,2 * * * *", "empty list entry"),
            ("0 0 31 2 *", "never fires"), ("0 0 30 2 *", "never fires"), ("0 0 31 4,6,9,11 *", "never fires"),
            ("0 0 30,31 feb *", "never fires"), ("@daily", "macros"), ("0 0 */40 * *", "step 40 is larger"),
        ])
        func cronErrorsNameTheFieldAndValue(_ expression: String, _ fragment: String) {
            do {
                _ = try Timetable.cron(parsing: expression)
                Issue.record("\"\(expression)\" was accepted")
            } catch {
                #expect(error.kind == .invalidInput)
                #expect(
                    error.message.contains("\"\(expression.split(separator: " ").joined(separator: " "))\""),
                    "\(error.message)")
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }

        /// Expressions that look impossible but are not.
        @Test(arguments: ["0 0 29 2 *", "0 0 31 2 1", "0 0 30 2 mon", "0 0 31 * *", "0 0 31 1-2 *"])
        func rareButPossibleExpressionsAreAccepted(_ expression: String) throws {
            let timetable = try Timetable.cron(parsing: expression)
            #expect(timetable.nextSlot(after: Date(timeIntervalSince1970: 0), in: .gmt) != nil)
        }
    }
}
