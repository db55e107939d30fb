import ArgumentParser
import Foundation
import GraphSimulator
import TenantPilotCore

/// `next-slots`: the next slot of many varied schedules (zones, local times, weekday sets,
/// cron expressions including rare ones), as `schedules add`, dispatch and `schedules next`
/// compute it.
struct NextSlotsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "next-slots",
        abstract: "Next slot for 100,000 varied schedules; prints a Markdown section."
    )

    @Option(help: "Number of schedules.")
    var schedules = 100_000

    @Option(help: "Seed of the schedule generator.")
    var seed: UInt64 = 2026

    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata",
        "Pacific/Chatham", "UTC", "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney",
        "America/Sao_Paulo", "Africa/Cairo", "Asia/Tehran", "Pacific/Auckland", "America/Havana",
    ]
    static let cronExpressions = [
        "0 2 * * *", "*/15 * * * *", "0 * * * *", "30 2 * * 1-5", "0 0 1 * *", "0 3 * * sun",
        "5,35 1-3 * * *", "0 0 29 2 *", "0 0 */31 2 mon", "0 0 15 * fri", "0 12 1 jan,jul *",
        "45 23 31 12 *", "0 0 31 * *", "*/5 0-6 * * 6,7", "0 4 8-14 * 2",
    ]

    func run() throws {
        var rng = SeededGenerator(seed: seed)
        var work: [(Timetable, TimeZone, Date)] = []
        work.reserveCapacity(schedules)
        var zones: [TimeZone] = []
        for name in Self.zones { zones.append(try ScheduleZone.resolve(name)) }
        let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        for index in 0..<schedules {
            let timetable: Timetable
            if index % 2 == 0 {
                let times = (0..<(1 + Int(rng.next() % 3))).map { _ in
                    String(format: "%02d:%02d", Int(rng.next() % 24), Int(rng.next() % 4) * 15)
                }
                let days: String? =
                    rng.next() % 3 == 0 ? dayNames.filter { _ in rng.next() % 2 == 0 }.joined(separator: ",") : nil
                timetable = try Timetable.localTimes(parsing: times, days: days?.isEmpty == true ? "mon" : days)
            } else {
                timetable = try Timetable.cron(
                    parsing: Self.cronExpressions[Int(rng.next() % UInt64(Self.cronExpressions.count))])
            }
            let zone = zones[Int(rng.next() % UInt64(zones.count))]
            // Instants spread over two years, so that transition days are crossed.
            let instant = start.addingTimeInterval(TimeInterval(rng.next() % (2 * 365 * 86_400)))
            work.append((timetable, zone, instant))
        }

        let clock = ContinuousClock()
        var found = 0
        let elapsed = clock.measure {
            for (timetable, zone, instant) in work where timetable.nextSlot(after: instant, in: zone) != nil {
                found += 1
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("### next-slots")
        print("")
        print("Next slot of \(schedules) schedules (half local times with or without weekday sets, half cron")
        print("expressions incl. `0 0 29 2 *` and `0 0 */31 2 mon`; \(Self.zones.count) zones incl. Lord Howe,")
        print("Santiago, Chatham; instants spread over 2026–2027), seed \(seed), release build.")
        print("")
        print("| schedules | slots found | total | per call |")
        print("|---:|---:|---:|---:|")
        print(
            String(
                format: "| %d | %d | %.3f s | %.2f µs |", schedules, found, seconds,
                seconds / Double(max(schedules, 1)) * 1e6))
    }
}
