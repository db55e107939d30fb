/// A transaction of `PostgreSQLBackend`: the tables over its one connection, valid for the
/// closure it was handed to.
struct PostgreSQLTransaction: StoreTransaction {
    let connection: PostgreSQLConnection
    /// A read snapshot (no row locks can be taken in it).
    let readOnly: Bool

    var tenants: any TenantTable { PostgreSQLTenantTable(connection: connection) }
    var schedules: any ScheduleTable { PostgreSQLScheduleTable(connection: connection) }
    var runs: any RunTable { PostgreSQLRunTable(connection: connection) }
    var backupSets: any BackupSetTable { PostgreSQLBackupSetTable(connection: connection) }
    var backupItems: any BackupItemTable { PostgreSQLBackupItemTable(connection: connection) }
    var policies: any PolicyTable { PostgreSQLPolicyTable(connection: connection) }
    var audit: any AuditTable { PostgreSQLAuditTable(connection: connection) }
    var notifications: any NotificationTable { PostgreSQLNotificationTable(connection: connection) }
    var meta: any StoreMetaTable { PostgreSQLStoreMetaTable(connection: connection) }

    /// The run is re-read (in a write transaction: locked, so that its owner cannot be ending it
    /// meanwhile); a `running` run of a schedule is abandoned when nobody holds that schedule's
    /// lock — its owner takes it before the run starts and frees it only after the run's end is
    /// committed —, any other unfinished run (claimed but not started, or a restore) when nobody
    /// holds its owner's process lock.
    func isAbandoned(_ run: BackupRun) throws -> Bool {
        let lock = readOnly ? "" : " FOR UPDATE"
        guard
            let row = try connection.row(
                "SELECT status, process, host, backup_schedule_id FROM backup_schedule_runs WHERE id = $1" + lock,
                [run.rowID])
        else { return false }
        let status = try row.code("status", as: BackupRun.Status.self)
        if status.isFinal { return false }
        if status == .running, let scheduleId = try row.optionalInt64("backup_schedule_id") {
            return try !PostgreSQLLockKey.isHeld(PostgreSQLLockKey.key(.schedule(scheduleId)), on: connection)
        }
        guard let process = try row.optionalString("process") else { return true }
        let key = PostgreSQLLockKey.process(host: try row.optionalString("host") ?? "", process: process)
        return try !PostgreSQLLockKey.isHeld(key, on: connection)
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        try connection.execute("SAVEPOINT tenantpilot_savepoint")
        let value: T
        do {
            value = try body()
        } catch {
            try connection.execute("ROLLBACK TO SAVEPOINT tenantpilot_savepoint")
            try connection.execute("RELEASE SAVEPOINT tenantpilot_savepoint")
            throw error
        }
        try connection.execute("RELEASE SAVEPOINT tenantpilot_savepoint")
        return value
    }
}
