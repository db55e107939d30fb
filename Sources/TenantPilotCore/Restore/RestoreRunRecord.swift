import Foundation
import GRDB

/// The run a `restore --apply` records (trigger `restore`, no schedule) and its audit entries
/// `backup.restore_started`, `policy.restored`, `backup.restore_completed`. Each method is one
/// short transaction, so a restore killed half-way leaves its run `running` with its process's
/// identity, and the next dispatch (or restore) marks it `failed` ABANDONED like any run.
enum RestoreRunRecord {
    static let startedAction = "backup.restore_started"
    static let policyAction = "policy.restored"
    static let completedAction = "backup.restore_completed"

    /// Inserts the run `running` by this process, with `backup.restore_started`.
    static func begin(store: Store, scope: RestoreScope, actor: String, at instant: Date) throws(TenantPilotError) -> BackupRun {
        try store.write { db in
            let stamp = ISO8601.string(instant)
            var run = BackupRun(
                id: nil, scheduleId: nil, tenantId: scope.target.rowID, scheduledFor: ISO8601.minuteString(instant), trigger: .restore,
                retryOf: nil, status: .running, errorCode: nil, errorMessage: nil, backupSetId: scope.setId, actor: actor,
                process: ProcessIdentity.current, policiesCount: scope.items.count, itemsCount: 0, failedItemsCount: 0,
                skippedTypes: "[]", restoreCounts: Self.encode(RestoreCounts()), host: nil, createdAt: stamp, startedAt: stamp,
                finishedAt: nil)
            try run.insert(db)
            try AuditLog.record(
                db, at: instant, actor: actor, tenantId: scope.target.id, action: startedAction, resourceType: "backup_set",
                resourceId: String(scope.setId),
                metadata: [
                    "run_id": .int(run.rowID), "source_tenant": scope.source.map { .string($0.name) } ?? .null,
                    "target_tenant": .string(scope.target.name), "policies": .int(Int64(scope.items.count)),
                    "types": .array(scope.types.map { .string($0.key) }), "assignments": .bool(scope.includeAssignments),
                    "prune": .bool(scope.prune),
                ])
            return run
        }
    }

    /// `policy.restored` for one written policy (or one that failed to be written).
    static func recordPolicy(
        store: Store, run: BackupRun, action: RestorePlan.Action, targetId: String?, error: TenantPilotError?, actor: String,
        at instant: Date
    ) throws(TenantPilotError) {
        try store.write { db in
            try AuditLog.record(
                db, at: instant, actor: actor, tenantId: run.tenantId, action: policyAction, resourceType: "policy",
                resourceId: targetId ?? action.graphId, status: error == nil ? "success" : "failed",
                metadata: [
                    "run_id": .int(run.rowID), "action": .string(action.kind.rawValue), "type": .string(action.type.key),
                    "backup_graph_id": .string(action.graphId), "target_id": targetId.map(JSONValue.string) ?? .null,
                    "display_name": .string(action.displayName),
                    "changed": .array(Array(Set(action.changes.map(\.property))).sorted().map(JSONValue.string)),
                    "error_code": error.map { .string($0.code) } ?? .null,
                ])
        }
    }

    /// Ends the run with its status and counts, with `backup.restore_completed`.
    static func finish(
        store: Store, run: BackupRun, status: BackupRun.Status, code: String?, message: String?, counts: RestoreCounts,
        plan: RestorePlan?, actor: String, at instant: Date
    ) throws(TenantPilotError) -> BackupRun {
        try store.write { db in
            guard var row = try BackupRun.fetchOne(db, key: run.rowID) else {
                throw TenantPilotError.failed("run \(run.rowID) vanished", code: "INTERNAL_ERROR")
            }
            row.status = status
            row.errorCode = code
            row.errorMessage = message
            row.restoreCounts = Self.encode(counts)
            row.failedItemsCount = counts.failed
            row.itemsCount = counts.created + counts.updated + counts.deleted
            row.finishedAt = ISO8601.string(instant)
            try row.update(db)
            try AuditLog.record(
                db, at: instant, actor: actor, tenantId: run.tenantId, action: completedAction, resourceType: "backup_set",
                resourceId: run.backupSetId.map(String.init), status: status.rawValue,
                metadata: [
                    "run_id": .int(run.rowID), "status": .string(status.rawValue), "error_code": code.map(JSONValue.string) ?? .null,
                    "created": .int(Int64(counts.created)), "updated": .int(Int64(counts.updated)),
                    "deleted": .int(Int64(counts.deleted)), "failed": .int(Int64(counts.failed)),
                    "unchanged": plan.map { .int(Int64($0.count(.unchanged))) } ?? .null,
                    "skipped": plan.map { .int(Int64($0.count(.skip))) } ?? .null,
                ])
            return row
        }
    }

    static func encode(_ counts: RestoreCounts) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(counts)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
