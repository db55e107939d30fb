import GRDB

/// A transaction of `SQLiteBackend`: the tables over one GRDB `Database`, valid for the
/// closure it was handed to.
struct SQLiteTransaction: StoreTransaction {
    let db: Database
    /// Begun by `SQLiteBulkDeletion`: the tables of sets, items and runs may act on the sets
    /// that stay rather than on those deleted.
    var bulk: SQLiteBulkDeletion.Scope?

    var tenants: any TenantTable { SQLiteTenantTable(db: db) }
    var schedules: any ScheduleTable { SQLiteScheduleTable(db: db) }
    var runs: any RunTable { SQLiteRunTable(db: db, bulk: bulk) }
    var backupSets: any BackupSetTable { SQLiteBackupSetTable(db: db, bulk: bulk) }
    var backupItems: any BackupItemTable { SQLiteBackupItemTable(db: db, bulk: bulk) }
    var policies: any PolicyTable { SQLitePolicyTable(db: db) }
    var audit: any AuditTable { SQLiteAuditTable(db: db) }
    var notifications: any NotificationTable { SQLiteNotificationTable(db: db) }
    var meta: any StoreMetaTable { SQLiteStoreMetaTable(db: db) }
    var hooks: any HookTable { SQLiteHookTable(db: db) }

    /// The run's process (pid and start time, from `/proc`) no longer runs: one host, so the
    /// kernel knows.
    func abandoned(among runs: [BackupRun]) throws -> Set<Int64> {
        Set(runs.filter { !($0.process.map(ProcessIdentity.isAlive) ?? false) }.map(\.rowID))
    }

    /// Nothing to take: a write transaction is SQLite's only writer until it ends.
    func lockRegistrations() throws {}

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        var outcome: Result<T, any Error>?
        try db.inSavepoint {
            outcome = Result { try body() }
            if case .failure = outcome { return .rollback }
            return .commit
        }
        guard let outcome else { throw TenantPilotError.failed("a savepoint ended without running its body") }
        return try outcome.get()
    }
}
