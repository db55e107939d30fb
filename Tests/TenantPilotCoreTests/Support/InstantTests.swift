import Foundation
import Testing

@testable import TenantPilotCore

/// The typed instant keeps the store's text forms exactly.
@Suite struct InstantTests {
    @Test func itsTextIsISO8601StringAndItsMinuteIsISO8601MinuteString() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // 1900 to 2200, with fractions of a second.
            let date = Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...7_258_118_400, using: &generator))
            let instant = Instant(date)
            #expect(instant.text == ISO8601.string(date))
            #expect(instant.minute.text == ISO8601.minuteString(date))
            #expect(Instant(text: instant.text) == instant)
        }
    }

    @Test(arguments: [
        "9999-12-31T23:59:00Z", "10000-01-01T00:00:00Z", "10399-12-31T23:59:59Z", "10400-02-29T12:00:00Z",
    ])
    func yearsBeyond9999ReadBackAsTheyAreWritten(text: String) throws {
        let instant = try #require(Instant(text: text))
        #expect(instant.text == text)
    }

    @Test func ordersAndCodesAsItsText() throws {
        let earlier = try #require(Instant(text: "2026-03-29T01:30:00Z"))
        let later = try #require(Instant(text: "2026-03-29T01:30:01Z"))
        #expect(earlier < later)
        let encoded = try JSONEncoder().encode([earlier])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2026-03-29T01:30:00Z"]"#)
        #expect(try JSONDecoder().decode([Instant].self, from: encoded) == [earlier])
        #expect(Instant(text: "2026-02-30T00:00:00Z") == nil)
    }
}
