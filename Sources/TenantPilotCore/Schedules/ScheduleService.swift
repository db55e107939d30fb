import Foundation

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

    public func add(_ draft: ScheduleDraft, actor: String, at now: Date) async throws(TenantPilotError) -> Entry {
        try await store.write { tx in
            let tenant = try tx.tenants.require(named: draft.tenantName)
            try tx.lockRegistrations()
            try Self.checkNameFree(tx, tenant: tenant, name: draft.name, except: nil)
            let stamp = Instant(now)
            let schedule = try tx.schedules.insert(
                BackupSchedule(
                    tenantId: tenant.rowID, name: draft.name, enabled: draft.enabled, timezone: draft.zoneIdentifier,
                    timetable: draft.timetable, policyTypes: draft.policyTypes, retention: draft.retention,
                    nextRunAt: draft.enabled ? Self.nextSlot(draft.timetable, draft.zone, after: now) : nil,
                    createdAt: stamp,
                    updatedAt: stamp))
            try tx.audit.record(
                at: now, actor: actor, tenantId: tenant.id, action: .scheduleCreated, resource: .schedule,
                resourceId: schedule.id.map(String.init),
                metadata: [
                    "name": .string(schedule.name), "timezone": .string(schedule.timezone),
                    "timetable": .string(draft.timetable.summary),
                    "policy_types": .array(draft.policyTypes.map(JSONValue.string)),
                    "enabled": .bool(schedule.enabled),
                ].merging(Self.ruleMetadata(schedule.retention)) { $1 })
            return Entry(schedule: schedule, tenant: tenant)
        }
    }

    /// What `update` did, and what the next retention of the schedule will delete when the change
    /// touched its rules (empty otherwise).
    public struct Update: Sendable {
        public let entry: Entry
        /// The sets the next retention will delete under the new rules, newest first.
        public let nextRetentionDeletes: [RetentionDecision]
        /// Whether a rule now keeps fewer sets than before (a smaller count, or a rule gone).
        public let lowersRetention: Bool
    }

    public func update(
        _ reference: ScheduleReference, changes: ScheduleChanges, actor: String, at now: Date
    ) async throws(TenantPilotError) -> Entry {
        try await updateReporting(reference, changes: changes, actor: actor, at: now).entry
    }

    /// `update`, with what the next retention will delete when the rules changed.
    public func updateReporting(
        _ reference: ScheduleReference, changes: ScheduleChanges, actor: String, at now: Date
    ) async throws(TenantPilotError) -> Update {
        try await store.write { tx in
            // Before any row lock: `add` takes this lock, then the rows of a name's schedules.
            if changes.name != nil { try tx.lockRegistrations() }
            var (schedule, tenant) = try Self.resolveActive(reference, tx)
            var changed: [String: JSONValue] = [:]
            if let name = changes.name, name != schedule.name {
                try Self.checkNameFree(tx, tenant: tenant, name: name, except: schedule.id)
                schedule.name = name
                changed["name"] = .string(name)
            }
            if let zone = changes.zoneIdentifier {
                schedule.timezone = zone
                changed["timezone"] = .string(zone)
            }
            let timetable = try changes.timetable(from: schedule.timetable)
            if timetable.canonicalJSON != schedule.timetable.canonicalJSON {
                schedule.timetable = timetable
                changed["timetable"] = .string(timetable.summary)
            }
            if let types = changes.policyTypes {
                schedule.policyTypes = types
                changed["policy_types"] = .array(types.map(JSONValue.string))
            }
            let oldPolicy = schedule.retention
            let policy = changes.policy(from: oldPolicy)
            if policy != oldPolicy {
                schedule.retention = policy
                changed.merge(Self.ruleMetadata(policy)) { $1 }
            }
            let zone = try ScheduleZone.resolve(schedule.timezone)
            try ScheduleInput.checkFires(timetable, in: zone, from: now)
            if changes.changesTiming && schedule.enabled {
                schedule.nextRunAt = Self.nextSlot(timetable, zone, after: now)
            }
            schedule.updatedAt = Instant(now)
            try tx.schedules.update(schedule)
            try tx.audit.record(
                at: now, actor: actor, tenantId: tenant.id, action: .scheduleUpdated, resource: .schedule,
                resourceId: schedule.id.map(String.init), metadata: ["changes": .object(changed)])
            var deletes: [RetentionDecision] = []
            if policy != oldPolicy {
                deletes = try RetentionService.plan(tx, scheduleId: schedule.rowID).sets.filter { $0.action == .delete }
            }
            return Update(
                entry: Entry(schedule: schedule, tenant: tenant), nextRetentionDeletes: deletes,
                lowersRetention: policy.lowers(oldPolicy))
        }
    }

    /// The rules as audit metadata: every rule, `null` when the schedule does not have it.
    static func ruleMetadata(_ policy: RetentionPolicy) -> [String: JSONValue] {
        var metadata: [String: JSONValue] = [:]
        for rule in RetentionRule.allCases {
            let count = rule == .last ? policy.effectiveKeepLast : policy.count(rule)
            metadata["keep_\(rule.rawValue)"] = count.map { .int(Int64($0)) } ?? .null
        }
        return metadata
    }

    /// Enables or disables. Enabling counts the next slot from `now`; disabling clears it.
    /// Setting the state it already has changes nothing and writes no audit entry.
    public func setEnabled(
        _ reference: ScheduleReference, _ enabled: Bool, actor: String, at now: Date
    ) async throws(TenantPilotError) -> (entry: Entry, changed: Bool) {
        try await store.write { tx in
            var (schedule, tenant) = try Self.resolveActive(reference, tx)
            guard schedule.enabled != enabled else { return (Entry(schedule: schedule, tenant: tenant), false) }
            schedule.enabled = enabled
            schedule.nextRunAt =
                enabled
                ? Self.nextSlot(schedule.timetable, try ScheduleZone.resolve(schedule.timezone), after: now) : nil
            schedule.updatedAt = Instant(now)
            try tx.schedules.update(schedule)
            try tx.audit.record(
                at: now, actor: actor, tenantId: tenant.id, action: enabled ? .scheduleEnabled : .scheduleDisabled,
                resource: .schedule, resourceId: schedule.id.map(String.init),
                metadata: ["next_run_at": schedule.nextRunAt.map { .string($0.text) } ?? .null])
            return (Entry(schedule: schedule, tenant: tenant), true)
        }
    }

    /// Removes a schedule from the timetable. Its backup sets and run history stay, shown as
    /// from a removed schedule.
    public func remove(_ reference: ScheduleReference, actor: String, at now: Date) async throws(TenantPilotError)
        -> Entry
    {
        try await store.write { tx in
            let (schedule, tenant) = try Self.resolveActive(reference, tx)
            return Entry(
                schedule: try Self.markRemoved(tx, schedule, tenant: tenant, actor: actor, at: now), tenant: tenant)
        }
    }

    /// Removes a schedule inside the caller's transaction (`tenants remove --with-schedules`
    /// removes a tenant's schedules with it), with its `backup_schedule.removed` entry.
    static func markRemoved(
        _ tx: any StoreTransaction, _ schedule: BackupSchedule, tenant: Tenant, actor: String, at now: Date
    ) throws -> BackupSchedule {
        var schedule = schedule
        schedule.enabled = false
        schedule.nextRunAt = nil
        schedule.removedAt = Instant(now)
        schedule.updatedAt = Instant(now)
        try tx.schedules.update(schedule)
        try tx.audit.record(
            at: now, actor: actor, tenantId: tenant.id, action: .scheduleRemoved, resource: .schedule,
            resourceId: schedule.id.map(String.init), metadata: ["name": .string(schedule.name)])
        return schedule
    }

    /// Schedules not removed, optionally of one tenant, by tenant then name.
    public func list(tenantName: String?) async throws(TenantPilotError) -> [Entry] {
        try await store.read { tx in
            var tenants = try tx.tenants.all()
            if let tenantName {
                let all = tenants
                tenants = tenants.filter { $0.name == tenantName }
                if tenants.isEmpty { throw TenantPilotError.tenantNotFound(tenantName, among: all.map(\.name)) }
            }
            let byId = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0) })
            return try tx.schedules.active(tenantIds: Set(byId.keys))
                .compactMap { schedule in byId[schedule.tenantId].map { Entry(schedule: schedule, tenant: $0) } }
                .sorted { ($0.tenant.name, $0.schedule.name) < ($1.tenant.name, $1.schedule.name) }
        }
    }

    /// One schedule (a removed one too, when named by id).
    public func find(_ reference: ScheduleReference) async throws(TenantPilotError) -> Entry {
        try await store.read { tx in
            let (schedule, tenant) = try reference.resolve(tx)
            return Entry(schedule: schedule, tenant: tenant)
        }
    }

    /// The next `count` slots of a schedule after `instant`.
    public func nextSlots(
        _ reference: ScheduleReference, after instant: Date, count: Int
    ) async throws(TenantPilotError) -> (Entry, TimeZone, [Date]) {
        let entry = try await find(reference)
        let zone = try ScheduleZone.resolve(entry.schedule.timezone)
        let slots = entry.schedule.timetable.slots(after: instant, in: zone, count: count)
        return (entry, zone, slots)
    }

    static func nextSlot(_ timetable: Timetable, _ zone: TimeZone, after now: Date) -> Instant? {
        timetable.nextSlot(after: now, in: zone).map { Instant($0).minute }
    }

    /// The schedule and its tenant; a removed schedule cannot be changed or run.
    static func resolveActive(_ reference: ScheduleReference, _ tx: any StoreTransaction) throws -> (
        BackupSchedule, Tenant
    ) {
        let (schedule, tenant) = try reference.resolve(tx)
        if let removedAt = schedule.removedAt {
            throw TenantPilotError.invalid(
                "schedule \(reference) was removed on \(removedAt); its history stays readable, but it cannot be changed or run"
            )
        }
        return (schedule, tenant)
    }

    private static func checkNameFree(_ tx: any StoreTransaction, tenant: Tenant, name: String, except id: Int64?)
        throws
    {
        if let existing = try tx.schedules.active(tenantId: tenant.rowID, named: name), existing.id != id {
            throw TenantPilotError.invalid(
                "tenant \"\(tenant.name)\" already has a schedule named \"\(name)\" (id \(existing.rowID))")
        }
    }
}
