import Foundation

/// "Run now" and "retry" (docs/architecture.md step 1): a run for the current minute, unless that slot
/// already has one, in which case the existing run is named and nothing new is made.
public struct ManualRuns: Sendable {
    public let executor: RunExecutor
    public var store: Store { executor.store }

    public init(executor: RunExecutor) {
        self.executor = executor
    }

    /// `tenantpilot run ID`.
    public func runNow(
        _ reference: ScheduleReference, actor: String, at now: Date,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws(TenantPilotError) -> BackupRun {
        let (run, schedule, tenant) = try await store.write { tx in
            let (schedule, tenant) = try ScheduleService.resolveActive(reference, tx)
            let run = try Self.claimCurrentMinute(
                tx, schedule: schedule, tenant: tenant, trigger: .manual, retryOf: nil, actor: actor, at: now)
            return (run, schedule, tenant)
        }
        return try await executor.execute(run, schedule: schedule, tenant: tenant, progress: progress)
    }

    /// `tenantpilot retry RUN_ID`: only a failed, partial or skipped run may be retried.
    public func retry(
        runId: Int64, actor: String, at now: Date, progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws(TenantPilotError) -> BackupRun {
        let (run, schedule, tenant) = try await store.write { tx in
            guard let original = try tx.runs.find(id: runId) else {
                throw TenantPilotError.notFound("no run with id \(runId); see `tenantpilot runs list`")
            }
            guard let scheduleId = original.scheduleId, original.trigger != .restore else {
                throw TenantPilotError.invalid(
                    "run \(runId) is a \(original.trigger.rawValue) run without a schedule; only a schedule's runs can be retried"
                )
            }
            guard [.failed, .partial, .skipped].contains(original.status) else {
                throw TenantPilotError.invalid(
                    "run \(runId) is \(original.status.rawValue); only a failed, partial or skipped run can be retried")
            }
            let (schedule, tenant) = try ScheduleService.resolveActive(.id(scheduleId), tx)
            let run = try Self.claimCurrentMinute(
                tx, schedule: schedule, tenant: tenant, trigger: .retry, retryOf: runId, actor: actor, at: now)
            return (run, schedule, tenant)
        }
        return try await executor.execute(run, schedule: schedule, tenant: tenant, progress: progress)
    }

    /// `tenantpilot backups create --tenant T --types …`: a backup of a tenant now, without a
    /// schedule (trigger `manual`, no slot to claim, no schedule lock, no retention). Its set
    /// belongs to no schedule, so no retention rule ever deletes it: it is kept until deleted.
    /// `types` are registry keys, checked by the caller.
    public func backUp(
        tenant name: String, types: [String], actor: String, at now: Date,
        progress: (@Sendable (BackupProgress) -> Void)? = nil
    ) async throws(TenantPilotError) -> BackupRun {
        let normalized = InputValidation.normalized(name)
        let (run, tenant) = try await store.write { tx in
            let tenant = try tx.tenants.require(named: normalized)
            let run = try tx.runs.insertUnscheduled(
                BackupRun(
                    scheduleId: nil, tenantId: tenant.rowID, scheduledFor: Instant(now).minute, trigger: .manual,
                    status: .pending, actor: actor, process: ProcessIdentity.current, createdAt: Instant(now)))
            return (run, tenant)
        }
        return try await executor.execute(run, schedule: nil, tenant: tenant, keys: types, progress: progress)
    }

    static func claimCurrentMinute(
        _ tx: any StoreTransaction, schedule: BackupSchedule, tenant: Tenant, trigger: BackupRun.Trigger,
        retryOf: Int64?,
        actor: String, at now: Date
    ) throws -> BackupRun {
        let slot = Instant(now).minute
        switch try tx.runs.claimSlot(
            scheduleId: schedule.rowID, tenantId: tenant.rowID, slot: slot, trigger: trigger, retryOf: retryOf,
            actor: actor,
            process: ProcessIdentity.current, host: HostIdentity.current, at: Instant(now))
        {
        case .claimed(let run):
            return run
        case .taken(let existing):
            let next = Instant(slot.date.addingTimeInterval(60)).minute
            throw TenantPilotError(
                .notRun, code: .slotTaken,
                "slot \(slot) of \(tenant.name)/\(schedule.name) already has run \(existing.rowID) (\(existing.status.rawValue)); "
                    + "a new run can start at \(next) (the next minute); see `tenantpilot runs show \(existing.rowID)`")
        }
    }
}
