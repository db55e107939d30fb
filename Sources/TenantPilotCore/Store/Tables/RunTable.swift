/// `backup_schedule_runs`: the run history, and the claim that makes each slot run once.
public protocol RunTable {
    /// Inserts a `pending` run for (schedule, slot) unless the slot already has one: the
    /// UNIQUE constraint decides, so two processes — on any hosts — can never both create it.
    /// `process` and `host` name its owner until it starts.
    func claimSlot(
        scheduleId: Int64, tenantId: Int64, slot: Instant, trigger: BackupRun.Trigger, retryOf: Int64?, actor: String?,
        process: String, host: String, at instant: Instant
    ) throws -> RunClaim
    /// Inserts a run that ended before it began (a missed slot), already `skipped`; nil when
    /// the slot already has a run.
    func recordSkipped(
        scheduleId: Int64, tenantId: Int64, slot: Instant, code: ErrorCode, message: String, at instant: Instant
    ) throws -> BackupRun?
    /// Marks a claimed run `running` by `process` on `host`; returns it as written.
    func start(_ run: BackupRun, process: String, host: String, at instant: Instant) throws -> BackupRun
    /// Writes a run's end: status, error, set, counts, `started_at` and `finished_at`.
    func finish(_ run: BackupRun) throws
    /// Inserts a run that belongs to no schedule (a restore), as given; returns it with its id.
    /// Such runs never collide on a slot.
    func insertUnscheduled(_ run: BackupRun) throws -> BackupRun
    /// Marks a run whose process died `failed` with `ABANDONED` (a restore keeps its set).
    func abandon(_ id: Int64, message: String, at instant: Instant) throws
    /// Runs still `pending` or `running` (through the partial index of unfinished runs).
    func unfinished() throws -> [BackupRun]
    func find(id: Int64) throws -> BackupRun?
    /// Newest first; each filter only when given (`since`: slots at or after it).
    func list(scheduleId: Int64?, tenantId: Int64?, status: BackupRun.Status?, since: Instant?, limit: Int) throws
        -> [BackupRun]
    /// Ids of every run of a tenant (any trigger, with or without a schedule), ascending.
    func ids(ofTenant tenantId: Int64) throws -> [Int64]
    /// Deletes these runs (`tenants remove --purge`); their notifications must be gone first.
    func delete(_ ids: [Int64]) throws
    /// Clears the reference of every run that made one of these sets, which are about to be
    /// deleted: the run stays in the history without its set (`BackupSetDeletion`).
    func forgetBackupSets(_ setIds: [Int64]) throws

    // MARK: - Monitoring (one statement each, whatever the number of schedules)

    /// Of each enabled schedule, the run of its latest slot that has ended (by schedule id).
    func latestEndedOfEnabledSchedules() throws -> [Int64: BackupRun]
    /// Of each enabled schedule, its latest `success` run (by schedule id).
    func latestSuccessOfEnabledSchedules() throws -> [Int64: BackupRun]
    /// Of each enabled schedule, how many of its kept runs ended in each final status.
    func endedCountsOfEnabledSchedules() throws -> [Int64: [BackupRun.Status: Int]]
}

extension RunTable {
    /// Newest first.
    public func list(scheduleId: Int64?, status: BackupRun.Status?, limit: Int) throws -> [BackupRun] {
        try list(scheduleId: scheduleId, tenantId: nil, status: status, since: nil, limit: limit)
    }
}
