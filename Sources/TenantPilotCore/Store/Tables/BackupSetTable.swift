/// `backup_sets`: each run's set, invisible while `building`, listed once `complete` or
/// `partial`. Its items live in `BackupItemTable`.
public protocol BackupSetTable {
    /// Starts a set in status `building`; returns its id.
    func begin(tenantId: Int64, scheduleId: Int64?, runId: Int64?, at instant: Instant) throws -> Int64
    /// The set's status; nil when there is no such set.
    func status(of id: Int64) throws -> BackupSetStatus?
    /// Finishes a `building` set and records its item count.
    func complete(_ id: Int64, as outcome: BackupSetOutcome, at instant: Instant) throws
    /// Ids of `building` sets begun before `instant`.
    func building(createdBefore instant: Instant) throws -> [Int64]
    /// Ids of `building` sets written by these runs.
    func building(ofRuns runIds: [Int64]) throws -> [Int64]
    /// Deletes the set rows (their items first: `BackupSetDeletion`).
    func delete(_ ids: [Int64]) throws
    /// Finished sets, newest first, optionally of one tenant and/or one schedule, at most `limit`.
    func finished(tenantId: Int64?, scheduleId: Int64?, limit: Int?) throws -> [BackupSetSummary]
    /// A finished set; nil when there is none with this id or it is still being written.
    func finished(id: Int64) throws -> BackupSetSummary?
    /// The finished sets of one schedule, newest first, as retention weighs them: only what the
    /// rules read (a set's id, status, creation and whether it is pinned), since retention reads
    /// every set of every schedule.
    func retentionCandidates(ofSchedule scheduleId: Int64) throws -> [RetentionRules.Candidate]
    /// How many sets there are, and of each schedule how many finished sets are not pinned.
    func retentionCensus() throws -> RetentionCensus
    /// A set in any status (`building` too); nil when there is none with this id.
    func find(id: Int64) throws -> BackupSet?
    /// Every set of a tenant, in any status, by id.
    func all(ofTenant tenantId: Int64) throws -> [BackupSet]
    /// Pins a set (retention keeps it) with an optional note; pinning a pinned set replaces its note
    /// and keeps its first `pinned_at`.
    func pin(_ id: Int64, note: String?, at instant: Instant) throws
    /// Hands a pinned set back to the retention rules.
    func unpin(_ id: Int64) throws
    /// Of each enabled schedule, its newest finished set (by schedule id), in one statement.
    func latestFinishedOfEnabledSchedules() throws -> [Int64: BackupSet]
    /// Of each tenant, its newest finished set of any schedule or none (by tenant id).
    func latestFinishedOfEachTenant() throws -> [Int64: BackupSet]
}

extension BackupSetTable {
    /// Finished sets, newest first, optionally of one tenant and/or one schedule.
    public func finished(tenantId: Int64?, scheduleId: Int64?) throws -> [BackupSetSummary] {
        try finished(tenantId: tenantId, scheduleId: scheduleId, limit: nil)
    }

    /// Throws `BACKUP_SET_CLOSED` unless the set exists and is `building`.
    public func requireBuilding(_ id: Int64) throws {
        guard let status = try status(of: id) else {
            throw TenantPilotError.failed("no backup set with id \(id) (discarded?)", code: .backupSetClosed)
        }
        guard status == .building else {
            throw TenantPilotError.failed("backup set \(id) is already \(status.rawValue)", code: .backupSetClosed)
        }
    }
}
