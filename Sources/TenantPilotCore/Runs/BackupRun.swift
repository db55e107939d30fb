import Foundation
import GRDB

/// One row of `backup_schedule_runs`: a run of a schedule for one minute slot. The UNIQUE
/// (`backup_schedule_id`, `scheduled_for`) constraint makes a slot's run exist at most once.
public struct BackupRun: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "backup_schedule_runs"

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
    /// UTC slot instant, `YYYY-MM-DDTHH:MM:00Z`.
    public var scheduledFor: String
    public var trigger: Trigger
    public var retryOf: Int64?
    public var status: Status
    public var errorCode: String?
    public var errorMessage: String?
    public var backupSetId: Int64?
    public var actor: String?
    /// `ProcessIdentity` of the process executing the run.
    public var process: String?
    public var policiesCount: Int
    public var itemsCount: Int
    public var failedItemsCount: Int
    /// JSON array of the policy-type keys that were skipped.
    public var skippedTypes: String
    /// JSON `{"created", "updated", "deleted", "failed"}` of a restore run; nil for backups.
    public var restoreCounts: String?
    /// The host that executed the run (nil until recorded).
    public var host: String?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, trigger, status, actor, process
        case scheduleId = "backup_schedule_id"
        case tenantId = "tenant_id"
        case scheduledFor = "scheduled_for"
        case retryOf = "retry_of"
        case errorCode = "error_code"
        case errorMessage = "error_message"
        case backupSetId = "backup_set_id"
        case policiesCount = "policies_count"
        case itemsCount = "items_count"
        case failedItemsCount = "failed_items_count"
        case skippedTypes = "skipped_types"
        case restoreCounts = "restore_counts"
        case host
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var rowID: Int64 { id ?? 0 }

    public var skippedTypeKeys: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(skippedTypes.utf8))) ?? []
    }
}

/// What a run captured, for `counts` in JSON.
public struct RunCounts: Codable, Sendable, Equatable {
    public var policies: Int
    public var items: Int
    public var failed_items: Int
    public var skipped_types: [String]
    /// A restore run's writes (nil for backups, and then not encoded).
    public var created: Int?
    public var updated: Int?
    public var deleted: Int?
    public var failed: Int?

    public init(policies: Int = 0, items: Int = 0, failedItems: Int = 0, skippedTypes: [String] = []) {
        self.policies = policies
        self.items = items
        self.failed_items = failedItems
        self.skipped_types = skippedTypes
    }
}

/// A run as `--json` prints it (SPEC §3).
public struct RunDocument: Encodable, Sendable, Equatable {
    public let id: Int64
    public let schedule_id: Int64?
    public let schedule: String?
    public let tenant: String
    public let scheduled_for: String
    public let trigger: String
    public let retry_of: Int64?
    public let status: String
    public let error_code: String?
    public let error_message: String?
    public let backup_set_id: Int64?
    public let actor: String?
    public let created_at: String
    public let started_at: String?
    public let finished_at: String?
    public let counts: RunCounts

    public init(_ run: BackupRun, tenantName: String, scheduleName: String?) {
        id = run.rowID
        schedule_id = run.scheduleId
        schedule = scheduleName
        tenant = tenantName
        scheduled_for = run.scheduledFor
        trigger = run.trigger.rawValue
        retry_of = run.retryOf
        status = run.status.rawValue
        error_code = run.errorCode
        error_message = run.errorMessage
        backup_set_id = run.backupSetId
        actor = run.actor
        created_at = run.createdAt
        started_at = run.startedAt
        finished_at = run.finishedAt
        var counts = RunCounts(
            policies: run.policiesCount, items: run.itemsCount, failedItems: run.failedItemsCount,
            skippedTypes: run.skippedTypeKeys)
        if let text = run.restoreCounts, let restore = try? JSONDecoder().decode(RestoreCounts.self, from: Data(text.utf8)) {
            counts.created = restore.created
            counts.updated = restore.updated
            counts.deleted = restore.deleted
            counts.failed = restore.failed
        }
        self.counts = counts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(schedule_id, forKey: .schedule_id)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(scheduled_for, forKey: .scheduled_for)
        try container.encode(trigger, forKey: .trigger)
        try container.encode(retry_of, forKey: .retry_of)
        try container.encode(status, forKey: .status)
        try container.encode(error_code, forKey: .error_code)
        try container.encode(error_message, forKey: .error_message)
        try container.encode(backup_set_id, forKey: .backup_set_id)
        try container.encode(actor, forKey: .actor)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(started_at, forKey: .started_at)
        try container.encode(finished_at, forKey: .finished_at)
        try container.encode(counts, forKey: .counts)
    }

    enum CodingKeys: String, CodingKey {
        case id, schedule_id, schedule, tenant, scheduled_for, trigger, retry_of, status, error_code, error_message
        case backup_set_id, actor, created_at, started_at, finished_at, counts
    }
}
