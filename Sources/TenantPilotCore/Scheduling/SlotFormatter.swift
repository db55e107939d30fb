import Foundation

/// How a slot reads in its schedule's zone, for `schedules next` and `--json`.
public enum SlotFormatter {
    /// Local wall-clock time, `2026-03-29T03:00:00`.
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        let utc = Int64(date.timeIntervalSince1970.rounded(.down))
        let local = ZoneClock(zone: zone).localSeconds(at: utc)
        let dayNumber = CivilDate.floorDivide(local, 86_400)
        let seconds = Int(local - dayNumber * 86_400)
        let civil = CivilDate(dayNumber: Int(dayNumber))
        return pad(civil.year, 4) + "-" + pad(civil.month, 2) + "-" + pad(civil.day, 2) + "T"
            + pad(seconds / 3600, 2) + ":" + pad(seconds % 3600 / 60, 2) + ":" + pad(seconds % 60, 2)
    }

    /// The zone's offset from UTC at `date`: `+02:00`, `+05:30`, `-03:00`, `+00:00`.
    public static func utcOffset(_ date: Date, in zone: TimeZone) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        let minutes = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
