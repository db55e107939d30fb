import Foundation
import GRDB

extension Dispatcher {
    /// Why dispatch recomputed every schedule's next slot before dispatching.
    public enum Realignment: Sendable, Equatable {
        /// The clock reads earlier than the last dispatch (a step back, or an earlier rehearsal
        /// with `--now` ahead of real time): next slots computed for that later time would
        /// hold every schedule back until the clock caught up.
        case clockSteppedBack(lastDispatch: String)
        /// The binary's time-zone data is not the one the next slots were computed with: a
        /// changed rule could otherwise turn a due slot into a missed one.
        case zoneDataChanged(from: String, to: String)
    }

    /// A clock earlier than this much before the last dispatch counts as stepped back (two
    /// dispatchers of one minute may read their clocks a little apart).
    static let stepBackTolerance: TimeInterval = 60

    /// Records this dispatch's clock and zone data, and recomputes the next slot of every
    /// enabled schedule when the clock stepped back or the zone data changed. A slot still in
    /// the grace window stays due; the UNIQUE constraint forbids a second run of any slot.
    func realignNextSlots(at now: Date, grace: TimeInterval) throws(TenantPilotError) -> Realignment? {
        let zoneData = ScheduleZone.dataVersion
        return try store.write { db in
            let last = try StoreMeta.value(db, .lastDispatchAt)
            let recorded = try StoreMeta.value(db, .zoneDataVersion)
            var reason: Realignment?
            if let recorded, recorded != zoneData {
                reason = .zoneDataChanged(from: recorded, to: zoneData)
            } else if let last, let instant = ISO8601.parse(last),
                now < instant.addingTimeInterval(-Self.stepBackTolerance)
            {
                reason = .clockSteppedBack(lastDispatch: last)
            }
            if reason != nil { try Self.recomputeNextSlots(db, now: now, grace: grace) }
            try StoreMeta.set(db, .lastDispatchAt, ISO8601.string(now))
            if recorded != zoneData { try StoreMeta.set(db, .zoneDataVersion, zoneData) }
            return reason
        }
    }

    /// Every enabled schedule's next slot: the first after `now − grace`, or after its recorded
    /// next slot minus the grace when that is earlier (slots already missed are still recorded
    /// as missed).
    static func recomputeNextSlots(_ db: Database, now: Date, grace: TimeInterval) throws {
        let schedules = try BackupSchedule.filter(Column("enabled") == true && Column("removed_at") == nil).fetchAll(db)
        for schedule in schedules {
            let timetable = try schedule.decodedTimetable()
            let zone = try ScheduleZone.resolve(schedule.timezone)
            let recorded = schedule.nextRunAt.flatMap(ISO8601.parse) ?? now
            let from = min(recorded, now).addingTimeInterval(-grace - 1)
            let next = timetable.nextSlot(after: from, in: zone).map(ISO8601.minuteString)
            try db.execute(
                sql: "UPDATE backup_schedules SET next_run_at = ? WHERE id = ?", arguments: [next, schedule.rowID])
        }
    }
}
