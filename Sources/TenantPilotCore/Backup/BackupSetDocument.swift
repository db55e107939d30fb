import Foundation

/// A backup set as `--json` prints it (SPEC §3).
public struct BackupSetDocument: Encodable, Sendable {
    public let id: Int64
    public let tenant: String
    public let schedule_id: Int64?
    public let schedule: String?
    public let schedule_removed: Bool
    public let run_id: Int64?
    public let status: String
    public let item_count: Int
    public let created_at: String
    public let completed_at: String?
    /// Present for `backups show`.
    public let items: [Item]?

    /// One item of a set.
    public struct Item: Encodable, Sendable {
        public let type: String
        public let graph_id: String
        public let display_name: String
        public let sha256: String
    }

    public init(_ summary: BackupSetSummary, items: [BackupItemRecord]? = nil) {
        id = summary.id
        tenant = summary.tenantName
        schedule_id = summary.scheduleId
        schedule = summary.scheduleName
        schedule_removed = summary.scheduleRemoved
        run_id = summary.runId
        status = summary.status.rawValue
        item_count = summary.itemCount
        created_at = ISO8601.string(summary.createdAt)
        completed_at = summary.completedAt.map(ISO8601.string)
        self.items = items?.map { Item(type: $0.typeKey, graph_id: $0.graphId, display_name: $0.displayName, sha256: $0.sha256) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(schedule_id, forKey: .schedule_id)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(schedule_removed, forKey: .schedule_removed)
        try container.encode(run_id, forKey: .run_id)
        try container.encode(status, forKey: .status)
        try container.encode(item_count, forKey: .item_count)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(completed_at, forKey: .completed_at)
        try container.encodeIfPresent(items, forKey: .items)
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, schedule_id, schedule, schedule_removed, run_id, status, item_count, created_at, completed_at, items
    }
}
