/// A run as `--json` prints it (docs/cli.md).
public struct RunDocument: Encodable, Sendable, Equatable {
    public let id: Int64
    /// Nil for a run without a schedule (a restore).
    @Nullable public var scheduleId: Int64?
    @Nullable public var schedule: String?
    public let tenant: String
    public let scheduledFor: Instant
    public let trigger: BackupRun.Trigger
    @Nullable public var retryOf: Int64?
    public let status: BackupRun.Status
    @Nullable public var errorCode: ErrorCode?
    @Nullable public var errorMessage: String?
    @Nullable public var backupSetId: Int64?
    @Nullable public var actor: String?
    /// The host that executed the run (or claimed it, until it starts); null for a missed slot.
    @Nullable public var host: String?
    public let createdAt: Instant
    @Nullable public var startedAt: Instant?
    @Nullable public var finishedAt: Instant?
    public let counts: RunCounts

    public init(_ run: BackupRun, tenantName: String, scheduleName: String?) {
        id = run.rowID
        scheduleId = run.scheduleId
        schedule = scheduleName
        tenant = tenantName
        scheduledFor = run.scheduledFor
        trigger = run.trigger
        retryOf = run.retryOf
        status = run.status
        errorCode = run.errorCode
        errorMessage = run.errorMessage
        backupSetId = run.backupSetId
        actor = run.actor
        host = run.host
        createdAt = run.createdAt
        startedAt = run.startedAt
        finishedAt = run.finishedAt
        counts = run.counts
    }
}
