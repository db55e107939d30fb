import Foundation

/// What `restore` will do (or did), one action per policy: the plan that `--plan` prints and
/// `--apply` carries out. Built by `RestorePlanner` from a backup set and the live target.
public struct RestorePlan: Sendable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Not in the target: created.
        case create
        /// In the target and different (volatile fields ignored): updated; `changes` name how.
        case update
        /// In the target and the same.
        case unchanged
        /// Not written: `warnings` start with why (type not restorable, ambiguous match, …).
        case skip
        /// Only with `--prune`: in the target, of a restored type, not in the set.
        case delete
    }

    /// One policy's action.
    public struct Action: Sendable {
        public var kind: Kind
        public var type: PolicyType
        /// The policy's id in the backup (for `delete`, its id in the target).
        public var graphId: String
        /// Its id in the target: the matched policy, or nil until a `create` is carried out.
        public var targetId: String?
        public var displayName: String
        public var changes: [PropertyChange]
        public var warnings: [String]
        /// The backup's payload (nil for `delete`).
        var backup: JSONValue?
        /// The target's payload as read for the plan (nil for `create`).
        var live: JSONValue?

        init(
            kind: Kind, type: PolicyType, graphId: String, targetId: String?, displayName: String,
            changes: [PropertyChange] = [], warnings: [String] = [], backup: JSONValue? = nil, live: JSONValue? = nil
        ) {
            self.kind = kind
            self.type = type
            self.graphId = graphId
            self.targetId = targetId
            self.displayName = displayName
            self.changes = changes
            self.warnings = warnings
            self.backup = backup
            self.live = live
        }

        /// Whether carrying it out writes to the tenant.
        public var writes: Bool { kind == .create || kind == .update || kind == .delete }
    }

    public let setId: Int64
    /// The tenant written into.
    public let target: Tenant
    /// The tenant the set was taken from; nil when it has been removed.
    public let source: Tenant?
    /// In apply order: by the types' restore order, then by type, name and id.
    public var actions: [Action]
    /// Whether assignments are part of the restore (`--no-assignments` turns them off).
    public let includesAssignments: Bool
    /// How the set's group, filter, scope-tag and policy ids become the target's.
    let references: ReferenceMap

    /// Whether carrying the plan out would write anything.
    public var hasWrites: Bool { actions.contains { $0.writes } }

    /// How many actions of each kind.
    public func count(_ kind: Kind) -> Int { actions.filter { $0.kind == kind }.count }

    /// Whether the set is restored into a tenant other than the one it came from.
    public var crossTenant: Bool { source?.rowID != target.rowID }
}

/// A plan (or an applied plan) as `restore --json` prints it.
public struct RestorePlanDocument: Encodable, Sendable {
    public struct ActionDocument: Encodable, Sendable {
        public let action: RestorePlan.Kind
        public let type: String
        public let graphId: String
        @Nullable public var targetId: String?
        public let displayName: String
        public let changes: [PropertyChange]
        public let warnings: [String]
        /// After `--apply`, for a writing action: `done` or `failed`.
        public let result: String?
        public let error: String?
    }

    public let setId: Int64
    public let target: String
    public let actions: [ActionDocument]
    /// After `--apply`: the run that recorded it.
    public let run: RunDocument?

    public init(_ plan: RestorePlan, outcomes: [RestoreOutcome.ActionResult]? = nil, run: RunDocument? = nil) {
        setId = plan.setId
        target = plan.target.name
        actions = plan.actions.enumerated().map { index, action in
            let outcome = outcomes?[index]
            return ActionDocument(
                action: action.kind, type: action.type.key, graphId: action.graphId,
                targetId: outcome?.targetId ?? action.targetId, displayName: action.displayName,
                changes: action.changes,
                warnings: action.warnings + (outcome?.warnings ?? []),
                result: action.writes ? outcome.map { $0.error == nil ? "done" : "failed" } : nil,
                error: outcome?.error?.message)
        }
        self.run = run
    }
}
