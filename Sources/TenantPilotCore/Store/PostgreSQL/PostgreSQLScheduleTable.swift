import PostgresNIO

/// Every statement on `backup_schedules`.
///
/// In a write transaction a schedule read to be changed — by id, by name, the enabled ones that
/// a realignment recomputes, the subject of retention — is locked (`FOR UPDATE`) until the
/// transaction ends, as SQLite's write transaction holds the whole file: two dispatchers
/// claiming it wait for each other, and the second sees it advanced; an edit never writes back
/// a `next_run_at` that a claim has moved meanwhile; two retention passes of it never overlap.
struct PostgreSQLScheduleTable: ScheduleTable {
    let connection: PostgreSQLConnection
    /// Whether reads that decide a write lock their rows (a write transaction).
    let locksRows: Bool

    private var forUpdate: String { locksRows ? " FOR UPDATE" : "" }

    static let columns = """
        id, tenant_id, name, enabled, timezone, timetable, policy_types, keep_last, next_run_at, last_run_at,
        last_run_status, created_at, updated_at, removed_at, keep_daily, keep_weekly, keep_monthly, keep_yearly
        """

    func insert(_ schedule: BackupSchedule) throws -> BackupSchedule {
        var inserted = schedule
        let row = try connection.row(
            """
            INSERT INTO backup_schedules (id, tenant_id, name, enabled, timezone, timetable, policy_types, keep_last,
                                          next_run_at, last_run_at, last_run_status, created_at, updated_at, removed_at,
                                          keep_daily, keep_weekly, keep_monthly, keep_yearly)
            VALUES (coalesce($1, nextval(pg_get_serial_sequence('backup_schedules', 'id'))), $2, $3, $4, $5, $6, $7,
                    $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            RETURNING id
            """, [schedule.id] + Self.values(schedule))
        inserted.id = try row?.int64("id")
        return inserted
    }

    func update(_ schedule: BackupSchedule) throws {
        try connection.execute(
            """
            UPDATE backup_schedules
            SET tenant_id = $2, name = $3, enabled = $4, timezone = $5, timetable = $6, policy_types = $7,
                keep_last = $8, next_run_at = $9, last_run_at = $10, last_run_status = $11, created_at = $12,
                updated_at = $13, removed_at = $14, keep_daily = $15, keep_weekly = $16, keep_monthly = $17,
                keep_yearly = $18
            WHERE id = $1
            """, [schedule.rowID] + Self.values(schedule))
    }

    /// Every column but `id`, in the order of `columns`.
    private static func values(_ schedule: BackupSchedule) -> [any PostgreSQLValue] {
        [
            schedule.tenantId, schedule.name, schedule.enabled, schedule.timezone, JSONColumn.text(schedule.timetable),
            JSONColumn.text(schedule.policyTypes), schedule.retention.keepLast, schedule.nextRunAt,
            schedule.lastRunAt, schedule.lastRunStatus, schedule.createdAt, schedule.updatedAt, schedule.removedAt,
            schedule.retention.keepDaily, schedule.retention.keepWeekly, schedule.retention.keepMonthly,
            schedule.retention.keepYearly,
        ]
    }

    func find(id: Int64) throws -> BackupSchedule? {
        try connection.row("SELECT \(Self.columns) FROM backup_schedules WHERE id = $1" + forUpdate, [id]).map(
            Self.schedule)
    }

    func names(ids: Set<Int64>) throws -> [Int64: String] {
        if ids.isEmpty { return [:] }
        var names: [Int64: String] = [:]
        for row in try connection.rows("SELECT id, name FROM backup_schedules WHERE id = ANY($1)", [ids.sorted()]) {
            names[try row.int64("id")] = try row.string("name")
        }
        return names
    }

    func exists(id: Int64) throws -> Bool {
        try connection.row("SELECT EXISTS (SELECT 1 FROM backup_schedules WHERE id = $1) AS found", [id])?.bool("found")
            ?? false
    }

    func active(tenantId: Int64, named name: String) throws -> BackupSchedule? {
        try connection.row(
            "SELECT \(Self.columns) FROM backup_schedules WHERE tenant_id = $1 AND name = $2 AND removed_at IS NULL"
                + forUpdate, [tenantId, name]
        ).map(Self.schedule)
    }

    func active(tenantIds: Set<Int64>) throws -> [BackupSchedule] {
        if tenantIds.isEmpty { return [] }
        return try connection.rows(
            "SELECT \(Self.columns) FROM backup_schedules WHERE tenant_id = ANY($1) AND removed_at IS NULL ORDER BY id",
            [tenantIds.sorted()]
        ).map(Self.schedule)
    }

    func activePolicyTypes(tenantId: Int64) throws -> [[String]] {
        try connection.rows(
            "SELECT policy_types FROM backup_schedules WHERE tenant_id = $1 AND removed_at IS NULL ORDER BY id",
            [tenantId]
        ).map { JSONColumn.strings(try $0.string("policy_types")) }
    }

    func enabled() throws -> [BackupSchedule] {
        try connection.rows(
            "SELECT \(Self.columns) FROM backup_schedules WHERE enabled AND removed_at IS NULL ORDER BY id" + forUpdate
        ).map(Self.schedule)
    }

    func activeIds() throws -> [Int64] {
        try connection.rows("SELECT id FROM backup_schedules WHERE removed_at IS NULL ORDER BY id").map {
            try $0.int64("id")
        }
    }

    /// Through the partial index `backup_schedules_due`, whose predicate this repeats.
    func dueIds(at now: Instant) throws -> [Int64] {
        try connection.rows(
            """
            SELECT id FROM backup_schedules
            WHERE enabled AND removed_at IS NULL AND next_run_at <= $1
            ORDER BY next_run_at, id
            """, [now]
        ).map { try $0.int64("id") }
    }

    func advance(_ id: Int64, to next: Instant?) throws {
        try connection.execute("UPDATE backup_schedules SET next_run_at = $1 WHERE id = $2", [next, id])
    }

    func recordLastRun(_ id: Int64, status: BackupRun.Status, at instant: Instant) throws {
        try connection.execute(
            "UPDATE backup_schedules SET last_run_at = $1, last_run_status = $2 WHERE id = $3", [instant, status, id])
    }

    func retentionSubject(id: Int64) throws -> RetentionSubject? {
        try connection.row(
            """
            SELECT sc.id, sc.tenant_id, t.name AS tenant_name, sc.name, sc.timezone, sc.keep_last, sc.keep_daily,
                   sc.keep_weekly, sc.keep_monthly, sc.keep_yearly, sc.removed_at IS NOT NULL AS removed
            FROM backup_schedules sc JOIN tenants t ON t.id = sc.tenant_id
            WHERE sc.id = $1
            """ + (locksRows ? " FOR UPDATE OF sc" : ""), [id]
        ).map { row in
            RetentionSubject(
                scheduleId: try row.int64("id"), tenantId: try row.int64("tenant_id"),
                tenantName: try row.string("tenant_name"), scheduleName: try row.string("name"),
                policy: try Self.policy(row), timezone: try row.string("timezone"), removed: try row.bool("removed"))
        }
    }

    func overview() throws -> [ScheduleOverview] {
        try connection.rows(
            """
            SELECT t.name AS tenant, s.name AS name, s.enabled AS enabled, s.policy_types AS policy_types,
                   s.next_run_at AS next_run_at
            FROM backup_schedules s JOIN tenants t ON t.id = s.tenant_id
            WHERE s.removed_at IS NULL ORDER BY t.name, s.name
            """
        ).map { row in
            ScheduleOverview(
                label: "\(try row.string("tenant"))/\(try row.string("name"))", enabled: try row.bool("enabled"),
                policyTypes: JSONColumn.strings(try row.string("policy_types")),
                nextRunAt: try row.optionalInstant("next_run_at"))
        }
    }

    static func schedule(_ row: PostgresRandomAccessRow) throws -> BackupSchedule {
        let id = try row.int64("id")
        let timetableText = try row.string("timetable")
        guard let timetable = JSONColumn.timetable(timetableText) else {
            throw TenantPilotError.failed("schedule \(id) has an unreadable timetable \(timetableText)")
        }
        return BackupSchedule(
            id: id, tenantId: try row.int64("tenant_id"), name: try row.string("name"),
            enabled: try row.bool("enabled"),
            timezone: try row.string("timezone"), timetable: timetable,
            policyTypes: JSONColumn.strings(try row.string("policy_types")), retention: try Self.policy(row),
            nextRunAt: try row.optionalInstant("next_run_at"), lastRunAt: try row.optionalInstant("last_run_at"),
            lastRunStatus: try row.optionalCode("last_run_status"), createdAt: try row.instant("created_at"),
            updatedAt: try row.instant("updated_at"), removedAt: try row.optionalInstant("removed_at"))
    }

    /// The rules of a row that holds `keep_last` … `keep_yearly` (NULL: no such rule).
    static func policy(_ row: PostgresRandomAccessRow) throws -> RetentionPolicy {
        func rule(_ column: String) throws -> Int? { try row.optionalInt64(column).map { Int($0) } }
        return RetentionPolicy(
            keepLast: try rule("keep_last"), keepDaily: try rule("keep_daily"), keepWeekly: try rule("keep_weekly"),
            keepMonthly: try rule("keep_monthly"), keepYearly: try rule("keep_yearly"))
    }
}
