import Foundation

/// `hooks add/list/remove/test`: each change and its audit entry in one transaction; a URL is
/// audited redacted, never whole.
public struct HookService: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// A hook with the names of its scope.
    public struct Entry: Sendable, Equatable {
        public let hook: Hook
        public let tenantName: String?
        /// The schedule's name (its tenant is `tenantName`).
        public let scheduleName: String?

        /// `contoso/nightly`, `contoso`, or `every run`.
        public var scope: String {
            if let tenantName, let scheduleName { return "\(tenantName)/\(scheduleName)" }
            return tenantName ?? "every run"
        }
    }

    public func add(_ draft: HookDraft, actor: String, at now: Date) async throws(TenantPilotError) -> Entry {
        try await store.write { tx in
            var tenantId: Int64?
            var scheduleId: Int64?
            var tenantName: String?
            var scheduleName: String?
            switch draft.scope {
            case .everyRun:
                break
            case .tenant(let name):
                let tenant = try tx.tenants.require(named: name)
                (tenantId, tenantName) = (tenant.rowID, tenant.name)
            case .schedule(let reference):
                let (schedule, tenant) = try ScheduleService.resolveActive(reference, tx)
                (scheduleId, tenantName, scheduleName) = (schedule.rowID, tenant.name, schedule.name)
            }
            let hook = try tx.hooks.insert(
                Hook(
                    events: draft.events, tenantId: tenantId, scheduleId: scheduleId, kind: draft.kind,
                    target: draft.target, targetEnv: draft.targetEnv, timeoutSeconds: draft.timeoutSeconds,
                    createdAt: Instant(now)))
            let entry = Entry(hook: hook, tenantName: tenantName, scheduleName: scheduleName)
            try tx.audit.record(
                at: now, actor: actor,
                tenantId: tenantId ?? (scheduleId == nil ? nil : try Self.tenantId(of: hook, tx)),
                action: .hookCreated, resource: .hook, resourceId: String(hook.rowID),
                metadata: [
                    "kind": .string(hook.kind.rawValue), "events": .array(hook.events.map { .string($0.rawValue) }),
                    "target": .string(hook.shownTarget), "scope": .string(entry.scope),
                ])
            return entry
        }
    }

    /// Every hook, by id.
    public func list() async throws(TenantPilotError) -> [Entry] {
        try await store.read { tx in try tx.hooks.all().map { try Self.entry($0, tx) } }
    }

    public func find(id: Int64) async throws(TenantPilotError) -> Entry {
        try await store.read { tx in try Self.entry(try Self.require(id, tx), tx) }
    }

    public func remove(id: Int64, actor: String, at now: Date) async throws(TenantPilotError) -> Entry {
        try await store.write { tx in
            let entry = try Self.entry(try Self.require(id, tx), tx)
            _ = try tx.hooks.delete(id: id)
            try tx.audit.record(
                at: now, actor: actor, tenantId: try Self.tenantId(of: entry.hook, tx), action: .hookRemoved,
                resource: .hook, resourceId: String(id),
                metadata: ["kind": .string(entry.hook.kind.rawValue), "target": .string(entry.hook.shownTarget)])
            return entry
        }
    }

    /// `hooks test ID`: sends a `test` event now and waits for it (the latest ended run in the
    /// hook's scope rides along, so a script can be tried on real data). A failure is reported
    /// and audited like any other.
    public func test(id: Int64, notifier: HookNotifier) async throws(TenantPilotError) -> (Entry, HookDelivery.Outcome)
    {
        let (entry, run) = try await store.read { tx -> (Entry, RunDocument?) in
            let entry = try Self.entry(try Self.require(id, tx), tx)
            return (entry, try Self.latestRun(in: entry, tx))
        }
        let message = HookMessage.test(
            entry.hook, tenant: entry.tenantName, schedule: entry.scheduleName, run: run)
        let outcome = await notifier.deliverNow(message, to: entry.hook)
        return (entry, outcome)
    }

    // MARK: - Reading

    static func require(_ id: Int64, _ tx: any StoreTransaction) throws -> Hook {
        guard let hook = try tx.hooks.find(id: id) else {
            throw TenantPilotError.notFound("no hook with id \(id); see `tenantpilot hooks list`")
        }
        return hook
    }

    static func entry(_ hook: Hook, _ tx: any StoreTransaction) throws -> Entry {
        if let scheduleId = hook.scheduleId {
            let schedule = try tx.schedules.find(id: scheduleId)
            let tenant = try schedule.flatMap { try tx.tenants.find(id: $0.tenantId) }
            let removed = schedule?.isRemoved == true ? " (removed)" : ""
            return Entry(
                hook: hook, tenantName: tenant?.name, scheduleName: schedule.map { $0.name + removed } ?? "?")
        }
        if let tenantId = hook.tenantId {
            return Entry(hook: hook, tenantName: try tx.tenants.find(id: tenantId)?.name ?? "?", scheduleName: nil)
        }
        return Entry(hook: hook, tenantName: nil, scheduleName: nil)
    }

    private static func tenantId(of hook: Hook, _ tx: any StoreTransaction) throws -> Int64? {
        if let tenantId = hook.tenantId { return tenantId }
        return try hook.scheduleId.flatMap { try tx.schedules.find(id: $0)?.tenantId }
    }

    /// The newest ended run of the hook's schedule (or of any schedule, for a hook of every run).
    private static func latestRun(in entry: Entry, _ tx: any StoreTransaction) throws -> RunDocument? {
        guard entry.hook.tenantId == nil else { return nil }
        let run = try tx.runs.list(scheduleId: entry.hook.scheduleId, status: nil, limit: 20).first {
            $0.status.isFinal
        }
        guard let run, let tenant = try tx.tenants.find(id: run.tenantId) else { return nil }
        let scheduleName = try run.scheduleId.flatMap { try tx.schedules.names(ids: [$0])[$0] }
        return RunDocument(run, tenantName: tenant.name, scheduleName: scheduleName)
    }
}
