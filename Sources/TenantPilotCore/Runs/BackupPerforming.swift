import Foundation

/// The sync-and-capture step of a run (docs/architecture.md step 4), as the run pipeline sees it.
/// `BackupService` is the real one; tests may pass their own.
///
/// It leaves the set it wrote `building`: the run completes it (and writes `backup.created`)
/// in the same transaction as its own end, so that no process killed in between can leave a
/// listed set under an unfinished run.
public protocol BackupPerforming: Sendable {
    func capture(
        tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, actor: String, at instant: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async -> BackupOutcome
}

/// How far a backup has come, for an interactive `run`'s progress line.
public struct BackupProgress: Sendable, Equatable {
    public var typesDone: Int
    public var typesTotal: Int
    public var policiesDone: Int
    /// How long requests now wait for Graph's request budget (docs/operations.md, "Graph's request limits"); nil when they go.
    public var waitingForBudget: Duration?

    public init(typesDone: Int, typesTotal: Int, policiesDone: Int, waitingForBudget: Duration? = nil) {
        self.typesDone = typesDone
        self.typesTotal = typesTotal
        self.policiesDone = policiesDone
        self.waitingForBudget = waitingForBudget
    }
}

/// What the backup step achieved.
public struct BackupOutcome: Sendable {
    /// The set holding what was captured (complete or partial once `completion` is recorded);
    /// nil when nothing usable was stored.
    public var backupSetId: Int64?
    /// How to complete that set; nil once it is complete, or when there is none.
    public var completion: BackupCompletion?
    public var policies: Int
    public var items: Int
    public var failedItems: Int
    /// Types that could not be captured, with why, in the order they were asked for.
    public var failedTypes: [(key: String, error: TenantPilotError)]
    /// A failure that stopped the whole backup (the tenant could not be reached).
    public var fatal: TenantPilotError?

    public init(
        backupSetId: Int64? = nil, completion: BackupCompletion? = nil, policies: Int = 0, items: Int = 0,
        failedItems: Int = 0, failedTypes: [(key: String, error: TenantPilotError)] = [], fatal: TenantPilotError? = nil
    ) {
        self.backupSetId = backupSetId
        self.completion = completion
        self.policies = policies
        self.items = items
        self.failedItems = failedItems
        self.failedTypes = failedTypes
        self.fatal = fatal
    }
}

/// A captured set still `building`, and what completing it writes: its status and item count,
/// and the `backup.created` audit entry.
public struct BackupCompletion: Sendable, Equatable {
    public var setId: Int64
    public var outcome: BackupSetOutcome
    /// The instant of the backup (the set's `completed_at` and the entry's time).
    public var instant: Date
    public var tenantId: Int64?
    public var scheduleId: Int64?
    public var runId: Int64?
    public var actor: String
    public var items: Int
    public var failedItems: Int
    /// Every type key the backup was asked for.
    public var types: [String]

    public init(
        setId: Int64, outcome: BackupSetOutcome, instant: Date, tenantId: Int64?, scheduleId: Int64?, runId: Int64?,
        actor: String, items: Int, failedItems: Int, types: [String]
    ) {
        self.setId = setId
        self.outcome = outcome
        self.instant = instant
        self.tenantId = tenantId
        self.scheduleId = scheduleId
        self.runId = runId
        self.actor = actor
        self.items = items
        self.failedItems = failedItems
        self.types = types
    }

    /// Completes the set and writes `backup.created`, inside the caller's transaction. Throws
    /// `BACKUP_SET_CLOSED` (before writing anything) when the set is no longer `building`.
    public func record(in tx: any StoreTransaction) throws {
        try BackupSetStore.complete(tx, setId: setId, status: outcome, at: instant)
        try tx.audit.record(
            at: instant, actor: actor, tenantId: tenantId, action: .backupCreated, resource: .backupSet,
            resourceId: String(setId), status: outcome == .complete ? AuditEntry.success : "partial",
            metadata: [
                "schedule_id": scheduleId.map(JSONValue.int) ?? .null, "run_id": runId.map(JSONValue.int) ?? .null,
                "items": .int(Int64(items)), "failed_items": .int(Int64(failedItems)),
                "types": .array(types.map(JSONValue.string)),
            ])
    }
}
