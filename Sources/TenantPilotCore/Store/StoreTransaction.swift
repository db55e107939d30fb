/// One transaction on the store, as a service sees it: one handle per table, each the only
/// place where that table is read or written (see the protocols in `Store/Tables/`). A service
/// that must change several tables at once (an action and its audit entry, a run's end and its
/// set) does it through one transaction:
///
/// ```swift
/// try await store.write { tx in
///     try tx.runs.finish(run)
///     try tx.audit.record(…)
/// }
/// ```
///
/// A handle is valid only inside the closure it was given to.
public protocol StoreTransaction {
    var tenants: any TenantTable { get }
    var schedules: any ScheduleTable { get }
    var runs: any RunTable { get }
    var backupSets: any BackupSetTable { get }
    var backupItems: any BackupItemTable { get }
    var policies: any PolicyTable { get }
    var audit: any AuditTable { get }
    var notifications: any NotificationTable { get }
    var meta: any StoreMetaTable { get }
    var hooks: any HookTable { get }

    /// The ids of those unfinished (`pending` or `running`) runs whose owner is gone, so that
    /// they are abandoned. SQLite: the pid and start time a run recorded name no live process.
    /// PostgreSQL (any host may ask, in one query): a `running` run of a schedule is abandoned
    /// when its schedule lock is free, any other when its owner's process lock is free; in a
    /// write transaction the runs' rows are locked, so a run that is just ending is never taken.
    func abandoned(among runs: [BackupRun]) throws -> Set<Int64>

    /// Holds, until the transaction ends, the right to check that a tenant's or a schedule's
    /// name (or a tenant's app registration) is free and then write it: transactions that do so
    /// (`tenants add`, `import`, `update`, `schedules add`, `update`) take their turn, so the
    /// later one sees the earlier one's row and refuses a duplicate by name rather than failing
    /// on a unique index — or, for an app registration, which no index guards, accepting it
    /// twice. SQLite has one writer at a time already; PostgreSQL takes an advisory lock.
    func lockRegistrations() throws

    /// Runs `body` inside the transaction so that, when it throws, only its own writes are
    /// undone (a savepoint) and the transaction goes on.
    func savepoint<T>(_ body: () throws -> T) throws -> T
}
