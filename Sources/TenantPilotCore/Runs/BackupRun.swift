/// A run of a schedule for one minute slot (a row of `backup_schedule_runs`). The UNIQUE
/// (`backup_schedule_id`, `scheduled_for`) constraint makes a slot's run exist at most once.
public struct BackupRun: Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, running, success, partial, failed, skipped

        /// Whether the run has ended.
        public var isFinal: Bool { self != .pending && self != .running }
    }

    public enum Trigger: String, Codable, Sendable {
        case scheduled, manual, retry
        /// `restore --apply`: writes a backup into a tenant; never has a schedule.
        case restore
    }

    public var id: Int64?
    /// Nil for a run without a schedule (a restore; a manual backup of a tenant).
    public var scheduleId: Int64?
    public var tenantId: Int64
    /// The slot: a whole UTC minute.
    public var scheduledFor: Instant
    public var trigger: Trigger
    public var retryOf: Int64?
    public var status: Status
    public var errorCode: ErrorCode?
    public var errorMessage: String?
    public var backupSetId: Int64?
    public var actor: String?
    /// `ProcessIdentity` of the process executing the run.
    public var process: String?
    public var policiesCount: Int
    public var itemsCount: Int
    public var failedItemsCount: Int
    /// Policy-type keys that were skipped (unknown to the registry, or failed).
    public var skippedTypes: [String]
    /// What a restore run wrote (`restore_counts`); nil for backups.
    public var restoreCounts: RestoreCounts?
    /// The host that executed the run (nil until recorded).
    public var host: String?
    public var createdAt: Instant
    public var startedAt: Instant?
    public var finishedAt: Instant?

    public init(
        id: Int64? = nil, scheduleId: Int64?, tenantId: Int64, scheduledFor: Instant, trigger: Trigger,
        retryOf: Int64? = nil,
        status: Status, errorCode: ErrorCode? = nil, errorMessage: String? = nil, backupSetId: Int64? = nil,
        actor: String? = nil, process: String? = nil, policiesCount: Int = 0, itemsCount: Int = 0,
        failedItemsCount: Int = 0,
        skippedTypes: [String] = [], restoreCounts: RestoreCounts? = nil, host: String? = nil, createdAt: Instant,
        startedAt: Instant? = nil, finishedAt: Instant? = nil
    ) {
        self.id = id
        self.scheduleId = scheduleId
        self.tenantId = tenantId
        self.scheduledFor = scheduledFor
        self.trigger = trigger
        self.retryOf = retryOf
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.backupSetId = backupSetId
        self.actor = actor
        self.process = process
        self.policiesCount = policiesCount
        self.itemsCount = itemsCount
        self.failedItemsCount = failedItemsCount
        self.skippedTypes = skippedTypes
        self.restoreCounts = restoreCounts
        self.host = host
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public var rowID: Int64 { id ?? 0 }

    /// What the run captured, as `counts` shows it.
    public var counts: RunCounts {
        var counts = RunCounts(
            policies: policiesCount, items: itemsCount, failedItems: failedItemsCount, skippedTypes: skippedTypes)
        if let restoreCounts {
            counts.created = restoreCounts.created
            counts.updated = restoreCounts.updated
            counts.deleted = restoreCounts.deleted
            counts.failed = restoreCounts.failed
        }
        return counts
    }
}

/// What a run captured, for `counts` in JSON.
public struct RunCounts: Codable, Sendable, Equatable {
    public var policies: Int
    public var items: Int
    public var failedItems: Int
    public var skippedTypes: [String]
    /// A restore run's writes (nil for backups, and then not printed).
    public var created: Int?
    public var updated: Int?
    public var deleted: Int?
    public var failed: Int?

    public init(policies: Int = 0, items: Int = 0, failedItems: Int = 0, skippedTypes: [String] = []) {
        self.policies = policies
        self.items = items
        self.failedItems = failedItems
        self.skippedTypes = skippedTypes
    }
}

/// The outcome of claiming a slot.
public enum RunClaim: Sendable {
    /// This process created the run and owns it.
    case claimed(BackupRun)
    /// The slot already had a run (another dispatcher's, or an earlier `run`).
    case taken(BackupRun)
}
