import Foundation

/// The sync-and-backup step of a run (SPEC §6 step 4), as the run pipeline sees it.
/// `BackupService` is the real one; tests may pass their own.
public protocol BackupPerforming: Sendable {
    func backup(
        tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, actor: String, at instant: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async -> BackupOutcome
}

/// How far a backup has come, for an interactive `run`'s progress line.
public struct BackupProgress: Sendable, Equatable {
    public var typesDone: Int
    public var typesTotal: Int
    public var policiesDone: Int
    /// How long requests now wait for Graph's request budget (SPEC §13); nil when they go.
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
    /// The set made visible (complete or partial); nil when nothing usable was stored.
    public var backupSetId: Int64?
    public var policies: Int
    public var items: Int
    public var failedItems: Int
    /// Types that could not be captured, with why, in the order they were asked for.
    public var failedTypes: [(key: String, error: TenantPilotError)]
    /// A failure that stopped the whole backup (the tenant could not be reached).
    public var fatal: TenantPilotError?

    public init(
        backupSetId: Int64? = nil, policies: Int = 0, items: Int = 0, failedItems: Int = 0,
        failedTypes: [(key: String, error: TenantPilotError)] = [], fatal: TenantPilotError? = nil
    ) {
        self.backupSetId = backupSetId
        self.policies = policies
        self.items = items
        self.failedItems = failedItems
        self.failedTypes = failedTypes
        self.fatal = fatal
    }
}
