/// `backup_schedules`: what to back up and when. The management commands edit whole rows;
/// the run engine only moves `next_run_at` (`advance`) and `last_run_*` (`recordLastRun`).
public protocol ScheduleTable {
    /// Inserts a schedule; returns it with its id.
    func insert(_ schedule: BackupSchedule) throws -> BackupSchedule
    /// Writes every column of an edited schedule.
    func update(_ schedule: BackupSchedule) throws
    func find(id: Int64) throws -> BackupSchedule?
    /// The names of these schedules, by id (read without their timetables).
    func names(ids: Set<Int64>) throws -> [Int64: String]
    func exists(id: Int64) throws -> Bool
    /// The schedule of this tenant with this name that is not removed.
    func active(tenantId: Int64, named name: String) throws -> BackupSchedule?
    /// The schedules of these tenants that are not removed.
    func active(tenantIds: Set<Int64>) throws -> [BackupSchedule]
    /// The policy-type keys of each schedule of this tenant that is not removed (read without
    /// their timetables).
    func activePolicyTypes(tenantId: Int64) throws -> [[String]]
    /// Every enabled schedule that is not removed.
    func enabled() throws -> [BackupSchedule]
    /// Ids of every schedule that is not removed, ascending.
    func activeIds() throws -> [Int64]
    /// Enabled schedules whose next slot has come (`next_run_at <= now`), soonest first,
    /// through the partial index `backup_schedules_due`: the cost grows with the number due.
    func dueIds(at now: Instant) throws -> [Int64]
    /// Moves the schedule's next slot (nil: none).
    func advance(_ id: Int64, to next: Instant?) throws
    /// Records how the schedule's latest run ended.
    func recordLastRun(_ id: Int64, status: BackupRun.Status, at instant: Instant) throws
    /// What retention needs of the schedule, with its tenant's name.
    func retentionSubject(id: Int64) throws -> RetentionSubject?
    /// Every schedule that is not removed, by tenant name then name, for `doctor`.
    func overview() throws -> [ScheduleOverview]
}
