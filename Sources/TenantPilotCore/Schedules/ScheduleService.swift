import Foundation
import GRDB

/// Adds, changes and reads backup schedules. Each change and its audit entry are written in one
/// transaction; each change that touches timing recomputes `next_run_at` from `now`, so
/// re-enabling or editing a schedule never makes a surprise run for a slot already past.
public struct ScheduleService: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// A schedule with its tenant.
    public struct Entry: Sendable {
        public let schedule: BackupSchedule
        public let tenant: Tenant

        public var document: ScheduleDocument { ScheduleDocument(schedule, tenant: tenant) }
    }

    public func add(_ draft: ScheduleDraft, actor: String, at now: Date) throws(TenantPilotError) -> Entry {
        try store.write { db in
            guard let tenant = try Tenant.filter(Column("name") == draft.tenantName).fetchOne(db) else {
                throw TenantPilotError.notFound("no tenant named \"\(draft.tenantName)\"; see `tenantpilot tenants list`")
            }
            try Self.checkNameFree(db, tenant: tenant, name: draft.name, except: nil)
            let stamp = ISO8601.string(now)
            var schedule = BackupSchedule(
                id: nil, tenantId: tenant.rowID, name: draft.name, enabled: draft.enabled,
                timezone: draft.zoneIdentifier, timetable: BackupSchedule.encodeTimetable(draft.timetable),
                policyTypes: BackupSchedule.encodeTypes(draft.policyTypes), keepLast: draft.keepLast,
                nextRunAt: draft.enabled ? Self.nextSlot(draft.timetable, draft.zone, after: now) : nil,
                lastRunAt: nil, lastRunStatus: nil, createdAt: stamp, updatedAt: stamp, removedAt: nil)
            try schedule.insert(db)
            try AuditLog.record(
                db, at: now, actor: actor, tenantId: tenant.id, action: "backup_schedule.created",
                resourceType: "backup_schedule", resourceId: schedule.id.map(String.init),
                metadata: [
                    "name": .string(schedule.name), "timezone": .string(schedule.timezone),
                    "timetable": .string(draft.timetable.summary),
                    "policy_types": .array(draft.policyTypes.map(JSONValue.string)),
                    "keep_last": .int(Int64(schedule.keepLast)), "enabled": .bool(schedule.enabled),
                ])
            return Entry(schedule: schedule, tenant: tenant)
        }
    }

    public func update(_ reference: ScheduleReference, changes: ScheduleChanges, actor: String, at now: Date) throws(TenantPilotError) -> Entry {
        try store.write { db in
            var (schedule, tenant) = try Self.resolveActive(reference, db)
            var changed: [String: JSONValue] = [:]
            if let name = changes.name, name != schedule.name {
                try Self.checkNameFree(db, tenant: tenant, name: name, except: schedule.id)
                schedule.name = name
                changed["name"] = .string(name)
            }
            if let zone = changes.zoneIdentifier {
                schedule.timezone = zone
                changed["timezone"] = .string(zone)
            }
            let timetable = try changes.timetable(from: schedule.decodedTimetable())
            let encoded = BackupSchedule.encodeTimetable(timetable)
            if encoded != schedule.timetable {
                schedule.timetable = encoded
                changed["timetable"] = .string(timetable.summary)
            }
            if let types = changes.policyTypes {
                schedule.policyTypes = BackupSchedule.encodeTypes(types)
                changed["policy_types"] = .array(types.map(JSONValue.string))
            }
            if let keepLast = changes.keepLast {
                schedule.keepLast = keepLast
                changed["keep_last"] = .int(Int64(keepLast))
            }
            let zone = try ScheduleZone.resolve(schedule.timezone)
            try ScheduleInput.checkFires(timetable, in: zone, from: now)
            if changes.changesTiming && schedule.enabled {
                schedule.nextRunAt = Self.nextSlot(timetable, zone, after: now)
            }
            schedule.updatedAt = ISO8601.string(now)
            try schedule.update(db)
            try AuditLog.record(
                db, at: now, actor: actor, tenantId: tenant.id, action: "backup_schedule.updated",
                resourceType: "backup_schedule", resourceId: schedule.id.map(String.init), metadata: ["changes": .object(changed)])
            return Entry(schedule: schedule, tenant: tenant)
        }
    }

    /// Enables or disables. Enabling counts the next slot from `now`; disabling clears it.
    /// Setting the state it already has changes nothing and writes no audit entry.
    public func setEnabled(_ reference: ScheduleReference, _ enabled: Bool, actor: String, at now: Date) throws(TenantPilotError) -> (entry: Entry, changed: Bool) {
        try store.write { db in
            var (schedule, tenant) = try Self.resolveActive(reference, db)
            guard schedule.enabled != enabled else { return (Entry(schedule: schedule, tenant: tenant), false) }
            schedule.enabled = enabled
            schedule.nextRunAt =
                enabled
                ? Self.nextSlot(try schedule.decodedTimetable(), try ScheduleZone.resolve(schedule.timezone), after: now) : nil
            schedule.updatedAt = ISO8601.string(now)
            try schedule.update(db)
            try AuditLog.record(
                db, at: now, actor: actor, tenantId: tenant.id,
                action: enabled ? "backup_schedule.enabled" : "backup_schedule.disabled",
                resourceType: "backup_schedule", resourceId: schedule.id.map(String.init),
                metadata: ["next_run_at": schedule.nextRunAt.map(JSONValue.string) ?? .null])
            return (Entry(schedule: schedule, tenant: tenant), true)
        }
    }

    /// Removes a schedule from the timetable. Its backup sets and run history stay, shown as
    /// from a removed schedule.
    public func remove(_ reference: ScheduleReference, actor: String, at now: Date) throws(TenantPilotError) -> Entry {
        try store.write { db in
            var (schedule, tenant) = try Self.resolveActive(reference, db)
            schedule.enabled = false
            schedule.nextRunAt = nil
            schedule.removedAt = ISO8601.string(now)
            schedule.updatedAt = ISO8601.string(now)
            try schedule.update(db)
            try AuditLog.record(
                db, at: now, actor: actor, tenantId: tenant.id, action: "backup_schedule.removed",
                resourceType: "backup_schedule", resourceId: schedule.id.map(String.init),
                metadata: ["name": .string(schedule.name)])
            return Entry(schedule: schedule, tenant: tenant)
        }
    }

    /// Schedules not removed, optionally of one tenant, by tenant then name.
    public func list(tenantName: String?) throws(TenantPilotError) -> [Entry] {
        try store.read { db in
            var tenants = try Tenant.fetchAll(db)
            if let tenantName {
                tenants = tenants.filter { $0.name == tenantName }
                if tenants.isEmpty {
                    throw TenantPilotError.notFound("no tenant named \"\(tenantName)\"; see `tenantpilot tenants list`")
                }
            }
            let byId = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0) })
            return try BackupSchedule
                .filter(byId.keys.contains(Column("tenant_id")) && Column("removed_at") == nil)
                .fetchAll(db)
                .compactMap { schedule in byId[schedule.tenantId].map { Entry(schedule: schedule, tenant: $0) } }
                .sorted { ($0.tenant.name, $0.schedule.name) < ($1.tenant.name, $1.schedule.name) }
        }
    }

    /// One schedule (a removed one too, when named by id).
    public func find(_ reference: ScheduleReference) throws(TenantPilotError) -> Entry {
        try store.read { db in
            let (schedule, tenant) = try reference.resolve(db)
            return Entry(schedule: schedule, tenant: tenant)
        }
    }

    /// The next `count` slots of a schedule after `instant`.
    public func nextSlots(_ reference: ScheduleReference, after instant: Date, count: Int) throws(TenantPilotError) -> (Entry, TimeZone, [Date]) {
        let entry = try find(reference)
        let zone = try ScheduleZone.resolve(entry.schedule.timezone)
        let slots = try entry.schedule.decodedTimetable().slots(after: instant, in: zone, count: count)
        return (entry, zone, slots)
    }

    static func nextSlot(_ timetable: Timetable, _ zone: TimeZone, after now: Date) -> String? {
        timetable.nextSlot(after: now, in: zone).map(ISO8601.minuteString)
    }

    static func resolveActive(_ reference: ScheduleReference, _ db: Database) throws -> (BackupSchedule, Tenant) {
        let (schedule, tenant) = try reference.resolve(db)
        if schedule.isRemoved {
            throw TenantPilotError.invalid(
                "schedule \(reference) was removed on \(schedule.removedAt ?? "?"); its history stays readable, but it cannot be changed or run")
        }
        return (schedule, tenant)
    }

    private static func checkNameFree(_ db: Database, tenant: Tenant, name: String, except id: Int64?) throws {
        let existing = try BackupSchedule
            .filter(Column("tenant_id") == tenant.id && Column("name") == name && Column("removed_at") == nil)
            .fetchOne(db)
        if let existing, existing.id != id {
            throw TenantPilotError.invalid(
                "tenant \"\(tenant.name)\" already has a schedule named \"\(name)\" (id \(existing.rowID))")
        }
    }
}
