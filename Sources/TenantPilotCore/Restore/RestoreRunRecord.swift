import Foundation

/// The run a `restore --apply` records (trigger `restore`, no schedule) and its audit entries
/// `backup.restore_started`, `policy.restored`, `backup.restore_completed`. Each method is one
/// short transaction, so a restore killed half-way leaves its run `running` with its process's
/// identity, and the next dispatch (or restore) marks it `failed` ABANDONED like any run.
enum RestoreRunRecord {
    /// Inserts the run `running` by this process, with `backup.restore_started`.
    static func begin(store: Store, scope: RestoreScope, actor: String, at instant: Date) async throws(TenantPilotError)
        -> BackupRun
    {
        let now = Instant(instant)
        let run = BackupRun(
            scheduleId: nil, tenantId: scope.target.rowID, scheduledFor: now.minute, trigger: .restore,
            status: .running,
            backupSetId: scope.setId, actor: actor, process: ProcessIdentity.current, policiesCount: scope.items.count,
            restoreCounts: RestoreCounts(), host: HostIdentity.current, createdAt: now, startedAt: now)
        let metadata: [String: JSONValue] = [
            "source_tenant": scope.source.map { .string($0.name) } ?? .null,
            "target_tenant": .string(scope.target.name),
            "policies": .int(Int64(scope.items.count)), "types": .array(scope.types.map { .string($0.key) }),
            "assignments": .bool(scope.includeAssignments), "prune": .bool(scope.prune),
        ]
        let target = scope.target
        let setId = scope.setId
        return try await store.write("record the restore of backup set \(setId)") { tx in
            let inserted = try tx.runs.insertUnscheduled(run)
            var entry = metadata
            entry["run_id"] = .int(inserted.rowID)
            try tx.audit.record(
                at: instant, actor: actor, tenantId: target.id, action: .restoreStarted, resource: .backupSet,
                resourceId: String(setId), metadata: entry)
            return inserted
        }
    }

    /// `policy.restored` for one written policy (or one that failed to be written).
    static func recordPolicy(
        store: Store, run: BackupRun, action: RestorePlan.Action, targetId: String?, error: TenantPilotError?,
        actor: String,
        at instant: Date
    ) async throws(TenantPilotError) {
        let changed = Array(Set(action.changes.map(\.property))).sorted().map(JSONValue.string)
        let metadata: [String: JSONValue] = [
            "run_id": .int(run.rowID), "action": .string(action.kind.rawValue), "type": .string(action.type.key),
            "backup_graph_id": .string(action.graphId), "target_id": targetId.map(JSONValue.string) ?? .null,
            "display_name": .string(action.displayName), "changed": .array(changed),
            "error_code": error.map { .string($0.code.rawValue) } ?? .null,
        ]
        let resourceId = targetId ?? action.graphId
        let status = error == nil ? AuditEntry.success : BackupRun.Status.failed.rawValue
        try await store.write("audit a restored policy") { tx in
            try tx.audit.record(
                at: instant, actor: actor, tenantId: run.tenantId, action: .policyRestored, resource: .policy,
                resourceId: resourceId, status: status, metadata: metadata)
        }
    }

    /// Ends the run with its status and counts, with `backup.restore_completed`.
    static func finish(
        store: Store, run: BackupRun, status: BackupRun.Status, code: ErrorCode?, message: String?,
        counts: RestoreCounts,
        plan: RestorePlan?, actor: String, at instant: Date
    ) async throws(TenantPilotError) -> BackupRun {
        var ended = run
        ended.status = status
        ended.errorCode = code
        ended.errorMessage = message
        ended.restoreCounts = counts
        ended.failedItemsCount = counts.failed
        ended.itemsCount = counts.created + counts.updated + counts.deleted
        ended.finishedAt = Instant(instant)
        let metadata: [String: JSONValue] = [
            "run_id": .int(run.rowID), "status": .string(status.rawValue),
            "error_code": code.map { .string($0.rawValue) } ?? .null,
            "created": .int(Int64(counts.created)), "updated": .int(Int64(counts.updated)),
            "deleted": .int(Int64(counts.deleted)), "failed": .int(Int64(counts.failed)),
            "unchanged": plan.map { .int(Int64($0.count(.unchanged))) } ?? .null,
            "skipped": plan.map { .int(Int64($0.count(.skip))) } ?? .null,
        ]
        let finished = ended
        return try await store.write("record the end of restore run \(run.rowID)") { tx in
            try tx.runs.finish(finished)
            try tx.audit.record(
                at: instant, actor: actor, tenantId: run.tenantId, action: .restoreCompleted, resource: .backupSet,
                resourceId: run.backupSetId.map(String.init), status: status.rawValue, metadata: metadata)
            return finished
        }
    }
}
