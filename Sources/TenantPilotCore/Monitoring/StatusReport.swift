import Foundation

/// `status`: one row per enabled schedule and one per tenant without one — is it backed up,
/// and since when — and whether a monitoring check should pass (exit 0 exactly when every row
/// is `ok`, `pending` or `unscheduled`).
public struct StatusReport: Sendable {
    public let now: Date
    public let rows: [StatusRow]

    public var ok: Bool { rows.allSatisfy(\.state.isHealthy) }

    /// The report of the store as it is at `now`; `tenantName` keeps one tenant's rows (an
    /// unknown name is bad input). `grace` is dispatch's: a slot older than it with no run means
    /// dispatch is not running.
    public static func read(
        from store: Store, at now: Date, grace: TimeInterval = Dispatcher.defaultGrace, tenantName: String? = nil
    ) async throws(TenantPilotError) -> StatusReport {
        let snapshot = try await MonitoringSnapshot.read(from: store, withHistory: false)
        return try StatusReport(snapshot: snapshot, at: now, grace: grace, tenantName: tenantName)
    }

    init(snapshot: MonitoringSnapshot, at now: Date, grace: TimeInterval, tenantName: String?) throws(TenantPilotError)
    {
        var tenants = snapshot.tenants
        if let tenantName {
            guard let tenant = tenants.first(where: { $0.name == tenantName }) else {
                throw TenantPilotError.tenantNotFound(tenantName, among: tenants.map(\.name))
            }
            tenants = [tenant]
        }
        let byTenant = Dictionary(grouping: snapshot.schedules, by: \.tenantId)
        var rows: [StatusRow] = []
        for tenant in tenants.sorted(by: { $0.name < $1.name }) {
            let schedules = (byTenant[tenant.rowID] ?? []).sorted { $0.name < $1.name }
            if schedules.isEmpty {
                rows.append(Self.tenantRow(tenant, set: snapshot.latestTenantSet[tenant.rowID], now: now))
            }
            for schedule in schedules {
                rows.append(
                    Self.row(
                        schedule, tenant: tenant, run: snapshot.latestEnded[schedule.rowID],
                        set: snapshot.latestSet[schedule.rowID], now: now, grace: grace))
            }
        }
        self.now = now
        self.rows = rows
    }

    /// The state of an enabled schedule: overdue first (nothing else can be trusted when dispatch
    /// does not run), then never (no usable backup at all), then the run of its latest ended slot.
    static func state(
        of schedule: BackupSchedule, run: BackupRun?, set: BackupSet?, now: Date, grace: TimeInterval
    ) -> (BackupState, String) {
        if let next = schedule.nextRunAt, next.date <= now.addingTimeInterval(-grace) {
            return (
                .overdue,
                "slot \(next) has no run though it is more than \(Self.age(grace)) old: dispatch is not running"
            )
        }
        guard let set else {
            if let run {
                return (.never, "no usable backup yet; \(describe(run))")
            }
            return (.pending, "no slot has passed yet")
        }
        guard let run else { return (.ok, "backed up by set \(set.id)") }
        switch run.status {
        case .success: return (.ok, "run \(run.rowID) succeeded; newest set \(set.id)")
        case .partial: return (.partial, describe(run))
        case .failed, .skipped: return (.failing, describe(run))
        case .pending, .running: return (.pending, "the first run is still going")
        }
    }

    static func row(
        _ schedule: BackupSchedule, tenant: Tenant, run: BackupRun?, set: BackupSet?, now: Date, grace: TimeInterval
    ) -> StatusRow {
        let (state, detail) = state(of: schedule, run: run, set: set, now: now, grace: grace)
        return StatusRow(
            tenant: tenant.name, schedule: schedule.name, scheduleId: schedule.rowID, state: state, detail: detail,
            lastBackupSetId: set?.id, lastBackupAt: set?.createdAt,
            lastBackupAgeSeconds: set.map { ageSeconds(of: $0, at: now) }, lastBackupItems: set?.itemCount,
            lastRunId: run?.id, lastRunAt: run.map { $0.finishedAt ?? $0.scheduledFor },
            lastRunStatus: run?.status, lastRunErrorCode: run?.errorCode, nextRunAt: schedule.nextRunAt)
    }

    static func tenantRow(_ tenant: Tenant, set: BackupSet?, now: Date) -> StatusRow {
        StatusRow(
            tenant: tenant.name, schedule: nil, scheduleId: nil, state: .unscheduled,
            detail: "no enabled schedule" + (set.map { "; its newest backup is set \($0.id)" } ?? ""),
            lastBackupSetId: set?.id, lastBackupAt: set?.createdAt,
            lastBackupAgeSeconds: set.map { ageSeconds(of: $0, at: now) }, lastBackupItems: set?.itemCount,
            lastRunId: nil, lastRunAt: nil, lastRunStatus: nil, lastRunErrorCode: nil, nextRunAt: nil)
    }

    private static func describe(_ run: BackupRun) -> String {
        var text = "run \(run.rowID) ended \(run.status.rawValue)"
        if let code = run.errorCode { text += " \(code.rawValue)" }
        return text
    }

    static func ageSeconds(of set: BackupSet, at now: Date) -> Int64 {
        max(0, Int64(now.timeIntervalSince(set.createdAt.date).rounded(.down)))
    }

    /// `45s`, `12m`, `5h`, `3d 4h`: how old something is, as a person reads it.
    public static func age(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m"
        case ..<86_400: return "\(total / 3600)h" + (total % 3600 >= 60 ? " \(total % 3600 / 60)m" : "")
        default: return "\(total / 86_400)d" + (total % 86_400 >= 3600 ? " \(total % 86_400 / 3600)h" : "")
        }
    }
}
