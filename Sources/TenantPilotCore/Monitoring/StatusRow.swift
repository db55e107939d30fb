import Foundation

/// One row of `status`: an enabled schedule, or a tenant that has none. Printed by `--json`
/// with snake_case keys, times in UTC and ages in whole seconds; every key is always present.
public struct StatusRow: Encodable, Sendable, Equatable {
    public let tenant: String
    /// Nil for a tenant row (`unscheduled`).
    @Nullable public var schedule: String?
    @Nullable public var scheduleId: Int64?
    public let state: BackupState
    /// Why the state is what it is, as one sentence.
    public let detail: String
    /// The newest usable (complete or partial) backup set.
    @Nullable public var lastBackupSetId: Int64?
    @Nullable public var lastBackupAt: Instant?
    @Nullable public var lastBackupAgeSeconds: Int64?
    @Nullable public var lastBackupItems: Int?
    /// The run of the latest slot that has ended (nil for a tenant row).
    @Nullable public var lastRunId: Int64?
    @Nullable public var lastRunAt: Instant?
    @Nullable public var lastRunStatus: BackupRun.Status?
    @Nullable public var lastRunErrorCode: ErrorCode?
    @Nullable public var nextRunAt: Instant?

    /// `TENANT/NAME`, or the tenant alone.
    public var name: String { schedule.map { "\(tenant)/\($0)" } ?? tenant }
}

/// `status --json`: `{"ok": …, "now": …, "status": [row, …]}`.
public struct StatusDocument: Encodable, Sendable {
    /// Every row is `ok`, `pending` or `unscheduled` (the exit code is 0 exactly then).
    public let ok: Bool
    public let now: Instant
    public let status: [StatusRow]

    public init(_ report: StatusReport) {
        ok = report.ok
        now = Instant(report.now)
        status = report.rows
    }
}
