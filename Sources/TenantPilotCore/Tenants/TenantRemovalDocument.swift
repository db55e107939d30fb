/// `tenants remove --json`: the tenant as it is now, the schedules removed with it, what stays
/// and, after `--purge`, what was deleted.
public struct TenantRemovalDocument: Encodable, Sendable {
    public let tenant: TenantDocument
    public let removedScheduleIds: [Int64]
    public let purged: Bool
    public let keptBackupSets: Int
    public let keptRuns: Int
    /// The audit entries naming the tenant: they always stay.
    public let auditEntries: Int
    /// Present after `--purge`.
    public let deleted: Deleted?
    public let pagesReclaimed: Int

    public struct Deleted: Encodable, Sendable {
        public let backupSets: Int
        public let items: Int
        public let payloads: Int
        public let bytesFreed: Int64
        public let runs: Int
        public let policies: Int
        public let notifications: Int
    }

    public init(_ removal: TenantService.Removal) {
        tenant = TenantDocument(removal.tenant)
        removedScheduleIds = removal.removedSchedules.map(\.rowID)
        purged = removal.tenant.purgedAt != nil
        keptBackupSets = removal.keptSets
        keptRuns = removal.keptRuns
        auditEntries = removal.auditEntries
        deleted = removal.purge.map {
            Deleted(
                backupSets: $0.sets, items: $0.items, payloads: $0.payloads, bytesFreed: $0.bytesFreed, runs: $0.runs,
                policies: $0.policies, notifications: $0.notifications)
        }
        pagesReclaimed = removal.pagesReclaimed
    }
}
