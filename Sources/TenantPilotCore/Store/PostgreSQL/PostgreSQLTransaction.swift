/// A transaction of `PostgreSQLBackend`: the tables over its one connection, valid for the
/// closure it was handed to.
struct PostgreSQLTransaction: StoreTransaction {
    let connection: PostgreSQLConnection
    /// A read snapshot (no row locks can be taken in it).
    let readOnly: Bool

    var tenants: any TenantTable { PostgreSQLTenantTable(connection: connection, locksRows: !readOnly) }
    var schedules: any ScheduleTable { PostgreSQLScheduleTable(connection: connection, locksRows: !readOnly) }
    var runs: any RunTable { PostgreSQLRunTable(connection: connection) }
    var backupSets: any BackupSetTable { PostgreSQLBackupSetTable(connection: connection, locksRows: !readOnly) }
    var backupItems: any BackupItemTable { PostgreSQLBackupItemTable(connection: connection, locksRows: !readOnly) }
    var policies: any PolicyTable { PostgreSQLPolicyTable(connection: connection) }
    var audit: any AuditTable { PostgreSQLAuditTable(connection: connection) }
    var notifications: any NotificationTable { PostgreSQLNotificationTable(connection: connection) }
    var meta: any StoreMetaTable { PostgreSQLStoreMetaTable(connection: connection) }
    var hooks: any HookTable { PostgreSQLHookTable(connection: connection) }

    /// One query: the runs are re-read (in a write transaction: locked, so that an owner cannot
    /// be ending one meanwhile), and a run is abandoned when nobody holds its lock in
    /// `pg_locks` — a `running` run of a schedule its schedule lock (its owner takes it before
    /// the run starts and frees it only after the run's end is committed), any other unfinished
    /// run (claimed but not started, or a restore) its owner's process lock.
    func abandoned(among runs: [BackupRun]) throws -> Set<Int64> {
        if runs.isEmpty { return [] }
        let owners = runs.map { run in
            Int64(PostgreSQLLockKey.process(host: run.host ?? "", process: run.process ?? "").1)
        }
        let rows = try connection.rows(
            """
            SELECT r.id FROM backup_schedule_runs r
            JOIN unnest($1::bigint[], $2::bigint[]) AS c(id, owner) ON c.id = r.id
            WHERE r.status IN ('pending', 'running')
            AND NOT EXISTS (
                SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND CASE WHEN r.status = 'running' AND r.backup_schedule_id IS NOT NULL
                    THEN l.classid = $3::bigint::oid AND l.objid = (r.backup_schedule_id & 4294967295)::oid
                    ELSE r.process IS NOT NULL AND l.classid = $4::bigint::oid AND l.objid = c.owner::oid
                END)
            """ + (readOnly ? "" : " FOR UPDATE OF r"),
            [
                runs.map(\.rowID), owners, Int64(PostgreSQLLockKey.schedule), Int64(PostgreSQLLockKey.process),
            ])
        return Set(try rows.map { try $0.int64("id") })
    }

    /// A transaction-scoped advisory lock: released by the commit, after which the next holder's
    /// statements (READ COMMITTED) see what this transaction wrote.
    func lockRegistrations() throws {
        _ = try connection.query("SELECT pg_advisory_xact_lock($1, 0)", [PostgreSQLLockKey.registration])
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
