/// `tenants show --json`: the tenant (never a secret) and what it holds.
public struct TenantOverviewDocument: Encodable, Sendable {
    public let tenant: TenantDocument
    /// Its schedules that are not removed: id and name.
    public let schedules: [Schedule]
    public let backupSets: Int
    public let pinnedSets: Int
    @Nullable public var latestBackupSetId: Int64?
    @Nullable public var latestBackupAt: Instant?
    public let runs: Int
    public let auditEntries: Int

    public struct Schedule: Encodable, Sendable {
        public let id: Int64
        public let name: String
        public let enabled: Bool
    }

    public init(_ overview: TenantService.Overview) {
        tenant = TenantDocument(overview.tenant)
        schedules = overview.schedules.map { Schedule(id: $0.rowID, name: $0.name, enabled: $0.enabled) }
        backupSets = overview.backupSets
        pinnedSets = overview.pinnedSets
        latestBackupSetId = overview.latestSet?.id
        latestBackupAt = overview.latestSet?.createdAt
        runs = overview.runs
        auditEntries = overview.auditEntries
    }
}
