/// What `status` and `metrics` read of the store, in one read transaction and a fixed number
/// of statements whatever the number of schedules: the enabled schedules, and per schedule its
/// latest ended run, latest success, newest usable set and run counts; per tenant its newest set.
struct MonitoringSnapshot: Sendable {
    var tenants: [Tenant]
    /// Enabled schedules that are not removed.
    var schedules: [BackupSchedule]
    var latestEnded: [Int64: BackupRun]
    var latestSuccess: [Int64: BackupRun]
    var latestSet: [Int64: BackupSet]
    var latestTenantSet: [Int64: BackupSet]
    var endedCounts: [Int64: [BackupRun.Status: Int]]

    /// Reads the facts; `withHistory` adds what only `metrics` shows (successes, run counts).
    static func read(from store: Store, withHistory: Bool) async throws(TenantPilotError) -> MonitoringSnapshot {
        try await store.read("read the state of every schedule") { tx in
            MonitoringSnapshot(
                tenants: try tx.tenants.all(), schedules: try tx.schedules.enabled(),
                latestEnded: try tx.runs.latestEndedOfEnabledSchedules(),
                latestSuccess: withHistory ? try tx.runs.latestSuccessOfEnabledSchedules() : [:],
                latestSet: try tx.backupSets.latestFinishedOfEnabledSchedules(),
                latestTenantSet: try tx.backupSets.latestFinishedOfEachTenant(),
                endedCounts: withHistory ? try tx.runs.endedCountsOfEnabledSchedules() : [:])
        }
    }
}
