import Foundation

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
    func realignNextSlots(at now: Date, grace: TimeInterval) async throws(TenantPilotError) -> Realignment? {
        let zoneData = ScheduleZone.dataVersion
        return try await store.write { tx in
            let last = try tx.meta.value(.lastDispatchAt)
            let recorded = try tx.meta.value(.zoneDataVersion)
            var reason: Realignment?
            if let recorded, recorded != zoneData {
                reason = .zoneDataChanged(from: recorded, to: zoneData)
            } else if let last, let instant = ISO8601.parse(last),
                now < instant.addingTimeInterval(-Self.stepBackTolerance)
            {
                reason = .clockSteppedBack(lastDispatch: last)
            }
            if reason != nil { try Self.recomputeNextSlots(tx, now: now, grace: grace) }
            try tx.meta.set(.lastDispatchAt, ISO8601.string(now))
            if recorded != zoneData { try tx.meta.set(.zoneDataVersion, zoneData) }
            return reason
        }
    }

    /// Every enabled schedule's next slot: the first after `now − grace`, or after its recorded
    /// next slot minus the grace when that is earlier (slots already missed are still recorded
    /// as missed).
    static func recomputeNextSlots(_ tx: any StoreTransaction, now: Date, grace: TimeInterval) throws {
        for schedule in try tx.schedules.enabled() {
            let zone = try ScheduleZone.resolve(schedule.timezone)
            let recorded = schedule.nextRunAt?.date ?? now
            let from = min(recorded, now).addingTimeInterval(-grace - 1)
            try tx.schedules.advance(
                schedule.rowID, to: schedule.timetable.nextSlot(after: from, in: zone).map { Instant($0).minute })
        }
    }
}
