/// What a database must provide for `Store`: transactions that hand out the tables, the locks
/// that coordinate processes, and the upkeep the store needs. SQLite (`SQLiteBackend`, one host)
/// and PostgreSQL (`PostgreSQLBackend`, several hosts) implement it with the same tables; no
/// service knows which one it has.
///
/// Every method runs its work on the backend's own threads and returns the outcome as a
/// `Result`; `Store` turns failures into `TenantPilotError`s.
protocol StoreBackend: Sendable {
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async -> Result<
        T, any Error
    >

    /// `write` for a transaction that deletes most of the backup sets (retention's first
    /// application to a long history). SQLite checks the foreign keys once before committing
    /// rather than at every row, and keeps the surviving sets and items rather than deleting the
    /// others row by row (`SQLiteBulkDeletion`); PostgreSQL writes as `write` does.
    func bulkDeletionWrite<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async
        -> Result<T, any Error>

    /// Runs `body` in a read-only snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async -> Result<T, any Error>

    /// Takes a lock without waiting; nil when another holder has it (SQLite: a `flock` in
    /// `<db>.locks/`; PostgreSQL: a session advisory lock on a connection of its own). Either is
    /// released when its holder dies.
    func tryLock(_ name: StoreLockName, mode: StoreLockMode) async -> Result<StoreLock?, any Error>

    /// Gives unused space back to the file system, in short steps; returns how much (in pages).
    func releaseFreePages(stepPages: Int, maxSteps: Int) async -> Result<Int, any Error>

    /// How many bytes the store takes (`tenantpilot_store_size_bytes`): for SQLite its file and WAL.
    func sizeInBytes() async -> Result<Int64, any Error>

    /// The store's own state, for `doctor`.
    func health() async -> Result<StoreHealth, any Error>

    /// Closes the connections once every access in flight has ended.
    func close() async -> Result<Void, any Error>

    /// A failure of this database as one line.
    func describe(_ error: any Error) -> String
}
