import Foundation

/// What carrying out a plan did.
public struct RestoreOutcome: Sendable {
    /// The result of one action, in the plan's order.
    public struct ActionResult: Sendable {
        /// The policy's id in the target (a created policy's new id).
        public var targetId: String?
        /// Why the action failed; nil when it succeeded or wrote nothing.
        public var error: TenantPilotError?
        /// Warnings that only the writes could tell (a reference created by this restore).
        public var warnings: [String] = []
    }

    public var results: [ActionResult]
    public var counts: RestoreCounts
    /// The recorded run, as it ended.
    public var run: BackupRun

    /// docs/restore.md: 0 every action succeeded, 3 some failed, 1 none could be done.
    public var exitCode: Int32 {
        switch run.status {
        case .success: ExitStatus.success
        case .partial: ExitStatus.partial
        default: ExitStatus.failure
        }
    }
}

/// Carries a plan out with Graph writes, in the plan's order (filters and scope tags before the
/// policies that name them, deletes last), one policy at a time: its create or update, then its
/// sub-resources, then its assignments. Every written policy is audited (`policy.restored`).
struct RestoreApplier: Sendable {
    let store: Store
    let clock: Clock
    let actor: String

    func apply(_ plan: RestorePlan, client: any GraphWriting, run: BackupRun) async -> (
        results: [RestoreOutcome.ActionResult], counts: RestoreCounts
    ) {
        var results: [RestoreOutcome.ActionResult] = []
        var counts = RestoreCounts()
        var created: ReferenceMap.Created = [:]
        var fatal: TenantPilotError?
        for action in plan.actions {
            guard action.writes else {
                results.append(RestoreOutcome.ActionResult(targetId: action.targetId))
                continue
            }
            if let fatal {
                counts.failed += 1
                results.append(
                    RestoreOutcome.ActionResult(
                        targetId: action.targetId, error: .failed("not attempted: \(fatal.message)", code: fatal.code)))
                continue
            }
            var result = await carryOut(action, plan: plan, client: client, created: &created)
            if let error = result.error {
                counts.failed += 1
                if BackupService.isFatal(error) { fatal = error }
            } else {
                switch action.kind {
                case .create: counts.created += 1
                case .update: counts.updated += 1
                case .delete: counts.deleted += 1
                default: break
                }
            }
            do {
                try await RestoreRunRecord.recordPolicy(
                    store: store, run: run, action: action, targetId: result.targetId, error: result.error,
                    actor: actor,
                    at: clock.now())
            } catch {
                result.warnings.append("its audit entry could not be written: \(error.message)")
            }
            results.append(result)
        }
        return (results, counts)
    }

    /// One action's writes. A create whose later writes fail reports the policy it made.
    func carryOut(
        _ action: RestorePlan.Action, plan: RestorePlan, client: any GraphWriting, created: inout ReferenceMap.Created
    ) async -> RestoreOutcome.ActionResult {
        guard let recipe = action.type.restore else {
            return RestoreOutcome.ActionResult(
                targetId: action.targetId, error: .failed("no restore recipe", code: .internalError))
        }
        let writes = RestoreWrites(type: action.type, recipe: recipe, graphURL: plan.target.graphURL)
        if action.kind == .delete {
            guard let targetId = action.targetId else { return RestoreOutcome.ActionResult(targetId: nil) }
            do {
                _ = try await client.send(
                    writes.delete(targetId: targetId, live: action.live, name: action.displayName))
                return RestoreOutcome.ActionResult(targetId: targetId)
            } catch {
                return RestoreOutcome.ActionResult(targetId: targetId, error: error)
            }
        }
        guard let backup = action.backup else { return RestoreOutcome.ActionResult(targetId: action.targetId) }
        // Mapped again now: filters, tags and templates this restore created have their ids.
        let mapped = plan.references.mapped(
            backup, recipe: recipe, includeAssignments: plan.includesAssignments, created: created)
        let payload = mapped.payload
        let assignments = payload[ReferenceMap.assignmentsProperty]?.arrayValue
        var targetId = action.targetId
        var sequence: [GraphWrite] = []
        do throws(TenantPilotError) {
            if action.kind == .create {
                let response = try await client.send(try writes.create(payload, name: action.displayName))
                guard let id = response["id"]?.stringValue, !id.isEmpty else {
                    throw TenantPilotError.failed(
                        "Graph created \(action.type.label) \"\(action.displayName)\" without telling its id; look for it in the target",
                        code: .graphBadResponse)
                }
                targetId = id
                created[action.type.key, default: [:]][action.graphId] = id
                sequence += writes.subresourceWrites(
                    payload, live: nil, targetId: id, creating: true, changed: [], name: action.displayName)
                if let assignments, !assignments.isEmpty {
                    sequence += writes.assignmentWrites(
                        assignments, live: [], targetId: id, payload: payload, name: action.displayName)
                }
            } else if let id = targetId {
                let changed = Set(action.changes.map(\.property))
                let separate = Set(
                    recipe.subresources.compactMap { property, spec in spec.update?.inline == nil ? property : nil } + [
                        ReferenceMap.assignmentsProperty
                    ])
                if !changed.subtracting(separate).isEmpty {
                    sequence.append(writes.update(payload, targetId: id, name: action.displayName))
                }
                sequence += writes.subresourceWrites(
                    payload, live: action.live, targetId: id, creating: false, changed: changed,
                    name: action.displayName)
                if changed.contains(ReferenceMap.assignmentsProperty), let assignments {
                    sequence += writes.assignmentWrites(
                        assignments, live: action.live?[ReferenceMap.assignmentsProperty]?.arrayValue ?? [],
                        targetId: id, payload: payload,
                        name: action.displayName)
                }
            }
            for write in sequence { _ = try await client.send(write) }
            return RestoreOutcome.ActionResult(targetId: targetId, warnings: newWarnings(mapped.warnings, action))
        } catch {
            let partly = action.kind == .create && targetId != nil
            let message = partly ? "created as \(targetId ?? "") but not completed: \(error.message)" : error.message
            return RestoreOutcome.ActionResult(targetId: targetId, error: .failed(message, code: error.code))
        }
    }

    /// Warnings of the mapping at apply time that the plan did not show.
    private func newWarnings(_ warnings: [String], _ action: RestorePlan.Action) -> [String] {
        warnings.filter { !action.warnings.contains($0) }
    }
}
