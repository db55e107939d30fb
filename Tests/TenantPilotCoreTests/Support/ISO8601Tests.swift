import Foundation
import Testing

@testable import TenantPilotCore

/// The one textual form of instants: strict parsing, exact round trips.
@Suite struct ISO8601Tests {
    @Test func everyFormattedInstantParsesBackToItself() {
        var generator = SystemRandomNumberGenerator()
        // 1900 to 2200, including instants before the epoch.
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = ISO8601.string(date)
            #expect(ISO8601.parse(text) == date, "\(text)")
        }
    }

    @Test(arguments: [
        ("2026-03-29T01:30:00Z", "2026-03-29T01:30:00Z"),
        ("2026-03-29T01:30Z", "2026-03-29T01:30:00Z"),
        ("2026-03-29T01:30:59.999Z", "2026-03-29T01:30:59Z"),
        ("2026-03-29T03:30:00+02:00", "2026-03-29T01:30:00Z"),
        ("2026-03-29T03:30+0200", "2026-03-29T01:30:00Z"),
        ("2026-03-28T20:30:00-05:00", "2026-03-29T01:30:00Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z"),
        ("  2026-01-01T00:00:00Z ", "2026-01-01T00:00:00Z"),
    ])
    func acceptedForms(text: String, utc: String) throws {
        let date = try #require(ISO8601.parse(text))
        #expect(ISO8601.string(date) == utc)
    }

    @Test(arguments: [
        "", "garbage", "2026-03-29", "2026-03-29T01:30:00", "2026-03-29 01:30:00Z", "2026-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z", "2026-02-30T01:30:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-03-29T24:00:00Z", "2026-03-29T01:60:00Z", "2026-03-29T01:30:60Z", "2026-03-29T01:30:00.Z",
        "2026-03-29T01:30:00+2:00", "2026-03-29T01:30:00Zjunk", "26-03-29T01:30:00Z", "2026-3-29T01:30:00Z",
    ])
    func rejectedForms(text: String) {
        #expect(ISO8601.parse(text) == nil, "\(text)")
    }
}
