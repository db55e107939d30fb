import GRDB

/// Every statement on `backup_schedules`.
struct SQLiteScheduleTable: ScheduleTable {
    let db: Database
    typealias Columns = BackupSchedule.Columns

    func insert(_ schedule: BackupSchedule) throws -> BackupSchedule {
        var schedule = schedule
        try schedule.insert(db)
        return schedule
    }

    func update(_ schedule: BackupSchedule) throws {
        try schedule.update(db)
    }

    func find(id: Int64) throws -> BackupSchedule? {
        try BackupSchedule.fetchOne(db, key: id)
    }

    func names(ids: Set<Int64>) throws -> [Int64: String] {
        if ids.isEmpty { return [:] }
        var names: [Int64: String] = [:]
        let rows = try Row.fetchCursor(
            db, sql: "SELECT id, name FROM backup_schedules WHERE id IN (SELECT value FROM json_each(?))",
            arguments: [SQLiteIds.json(ids.sorted())])
        while let row = try rows.next() {
            names[try row.decode(forColumn: "id")] = try row.decode(forColumn: "name")
        }
        return names
    }

    func exists(id: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM backup_schedules WHERE id = ?)", arguments: [id])
            ?? false
    }

    func active(tenantId: Int64, named name: String) throws -> BackupSchedule? {
        try BackupSchedule
            .filter(Columns.tenantId == tenantId && Columns.name == name && Columns.removedAt == nil)
            .fetchOne(db)
    }

    func active(tenantIds: Set<Int64>) throws -> [BackupSchedule] {
        try BackupSchedule.filter(tenantIds.contains(Columns.tenantId) && Columns.removedAt == nil).fetchAll(db)
    }

    func activePolicyTypes(tenantId: Int64) throws -> [[String]] {
        try String.fetchAll(
            db, sql: "SELECT policy_types FROM backup_schedules WHERE tenant_id = ? AND removed_at IS NULL",
            arguments: [tenantId]
        ).map(JSONColumn.strings)
    }

    func enabled() throws -> [BackupSchedule] {
        try BackupSchedule.filter(Columns.enabled == true && Columns.removedAt == nil).fetchAll(db)
    }

    func activeIds() throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM backup_schedules WHERE removed_at IS NULL ORDER BY id")
    }

    func dueIds(at now: Instant) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT id FROM backup_schedules INDEXED BY backup_schedules_due
                WHERE enabled = 1 AND removed_at IS NULL AND next_run_at <= ?
                ORDER BY next_run_at, id
                """,
            arguments: [now])
    }

    func advance(_ id: Int64, to next: Instant?) throws {
        try db.execute(sql: "UPDATE backup_schedules SET next_run_at = ? WHERE id = ?", arguments: [next, id])
    }

    func recordLastRun(_ id: Int64, status: BackupRun.Status, at instant: Instant) throws {
        try db.execute(
            sql: "UPDATE backup_schedules SET last_run_at = ?, last_run_status = ? WHERE id = ?",
            arguments: [instant, status, id])
    }

    func retentionSubject(id: Int64) throws -> RetentionSubject? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT sc.id, sc.tenant_id, t.name AS tenant_name, sc.name, sc.timezone, sc.keep_last, sc.keep_daily,
                       sc.keep_weekly, sc.keep_monthly, sc.keep_yearly, sc.removed_at IS NOT NULL AS removed
                FROM backup_schedules sc JOIN tenants t ON t.id = sc.tenant_id
                WHERE sc.id = ?
                """,
            arguments: [id]
        ).map { row in
            RetentionSubject(
                scheduleId: try row.decode(forColumn: "id"), tenantId: try row.decode(forColumn: "tenant_id"),
                tenantName: try row.decode(forColumn: "tenant_name"), scheduleName: try row.decode(forColumn: "name"),
                policy: try Self.policy(row), timezone: try row.decode(forColumn: "timezone"),
                removed: try row.decode(forColumn: "removed"))
        }
    }

    /// The rules of a row that holds `keep_last` … `keep_yearly`.
    static func policy(_ row: Row) throws -> RetentionPolicy {
        RetentionPolicy(
            keepLast: try row.decode(forColumn: Columns.keepLast),
            keepDaily: try row.decode(forColumn: Columns.keepDaily),
            keepWeekly: try row.decode(forColumn: Columns.keepWeekly),
            keepMonthly: try row.decode(forColumn: Columns.keepMonthly),
            keepYearly: try row.decode(forColumn: Columns.keepYearly))
    }

    func overview() throws -> [ScheduleOverview] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT t.name AS tenant, s.name AS name, s.enabled AS enabled,
                       s.policy_types AS policy_types, s.next_run_at AS next_run_at
                FROM backup_schedules s JOIN tenants t ON t.id = s.tenant_id
                WHERE s.removed_at IS NULL ORDER BY t.name, s.name
                """
        ).map { row in
            ScheduleOverview(
                label:
                    "\(try row.decode(String?.self, forColumn: "tenant") ?? "?")/\(try row.decode(String?.self, forColumn: "name") ?? "?")",
                enabled: try row.decode(Bool?.self, forColumn: "enabled") ?? false,
                policyTypes: JSONColumn.strings(try row.decode(forColumn: "policy_types")),
                nextRunAt: try row.decode(forColumn: "next_run_at"))
        }
    }
}

extension BackupSchedule: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "backup_schedules"

    public enum Columns {
        public static let id = Column("id")
        public static let tenantId = Column("tenant_id")
        public static let name = Column("name")
        public static let enabled = Column("enabled")
        public static let timezone = Column("timezone")
        public static let timetable = Column("timetable")
        public static let policyTypes = Column("policy_types")
        public static let keepLast = Column("keep_last")
        public static let keepDaily = Column("keep_daily")
        public static let keepWeekly = Column("keep_weekly")
        public static let keepMonthly = Column("keep_monthly")
        public static let keepYearly = Column("keep_yearly")
        public static let nextRunAt = Column("next_run_at")
        public static let lastRunAt = Column("last_run_at")
        public static let lastRunStatus = Column("last_run_status")
        public static let createdAt = Column("created_at")
        public static let updatedAt = Column("updated_at")
        public static let removedAt = Column("removed_at")
    }

    public init(row: Row) throws {
        let id: Int64? = try row.decode(forColumn: Columns.id)
        let timetableText: String = try row.decode(forColumn: Columns.timetable)
        guard let timetable = JSONColumn.timetable(timetableText) else {
            throw TenantPilotError.failed("schedule \(id ?? 0) has an unreadable timetable \(timetableText)")
        }
        self.init(
            id: id, tenantId: try row.decode(forColumn: Columns.tenantId),
            name: try row.decode(forColumn: Columns.name),
            enabled: try row.decode(forColumn: Columns.enabled), timezone: try row.decode(forColumn: Columns.timezone),
            timetable: timetable, policyTypes: JSONColumn.strings(try row.decode(forColumn: Columns.policyTypes)),
            retention: try SQLiteScheduleTable.policy(row),
            nextRunAt: try row.decode(forColumn: Columns.nextRunAt),
            lastRunAt: try row.decode(forColumn: Columns.lastRunAt),
            lastRunStatus: try row.decode(forColumn: Columns.lastRunStatus),
            createdAt: try row.decode(forColumn: Columns.createdAt),
            updatedAt: try row.decode(forColumn: Columns.updatedAt),
            removedAt: try row.decode(forColumn: Columns.removedAt))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.tenantId] = tenantId
        container[Columns.name] = name
        container[Columns.enabled] = enabled
        container[Columns.timezone] = timezone
        container[Columns.timetable] = JSONColumn.text(timetable)
        container[Columns.policyTypes] = JSONColumn.text(policyTypes)
        container[Columns.keepLast] = retention.keepLast
        container[Columns.keepDaily] = retention.keepDaily
        container[Columns.keepWeekly] = retention.keepWeekly
        container[Columns.keepMonthly] = retention.keepMonthly
        container[Columns.keepYearly] = retention.keepYearly
        container[Columns.nextRunAt] = nextRunAt
        container[Columns.lastRunAt] = lastRunAt
        container[Columns.lastRunStatus] = lastRunStatus
        container[Columns.createdAt] = createdAt
        container[Columns.updatedAt] = updatedAt
        container[Columns.removedAt] = removedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
