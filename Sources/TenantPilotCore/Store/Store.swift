import Foundation
import Logging

/// The store every service reads and writes through: one transaction at a time, reached with
/// `read` and `write`, each handing the body a `StoreTransaction` whose tables own their SQL.
///
/// It is the one database boundary: a failure of the database becomes a `TenantPilotError`
/// (`STORE_UNAVAILABLE`) here and nowhere else, and a `TenantPilotError` thrown by a body rolls
/// the transaction back and passes through unchanged. The work runs on the backend's own
/// threads, never on the caller's: a write that waits for another process's lock (up to the
/// busy timeout) does not hold a thread of Swift's cooperative pool.
///
/// The backend is SQLite (`SQLiteBackend`: one file in WAL mode, one host) or PostgreSQL
/// (`PostgreSQLBackend`: one database that several hosts share), chosen by the `StoreDatabase`;
/// both are migrated on open with the same named migrations.
public final class Store: Sendable {
    /// Which database the store is.
    public let database: StoreDatabase
    /// The store as messages name it: the SQLite file's path, or the PostgreSQL URL (never
    /// with a password).
    public var path: String { database.displayName }
    let backend: any StoreBackend
    let logger: Logger

    /// How long a writer waits for another process's write transaction (or row lock) before failing.
    public static let busyTimeout: TimeInterval = 60

    init(database: StoreDatabase, backend: any StoreBackend, logger: Logger) {
        self.database = database
        self.backend = backend
        self.logger = logger
    }

    /// Opens (creating if needed) and migrates the SQLite store at `path`.
    public static func open(path: String, logger: Logger = .disabled) async throws(TenantPilotError) -> Store {
        try await open(.sqlite(path: path), logger: logger)
    }

    /// What opening does where there is no store yet.
    public enum Missing: Sendable {
        /// Create it (`tenants add`, `tenants import`: the commands that create things).
        case create
        /// Fail with `STORE_NOT_FOUND`, naming the path and the rule that chose it (every other
        /// command: a cron job pointed at the wrong place must fail loudly, not back up nothing).
        case refuse
    }

    /// Opens and migrates the store at `location`; where there is none, creates it or refuses,
    /// as `missing` says. A PostgreSQL URL is read with the process's environment (its password
    /// from `PGPASSWORD` or `~/.pgpass`).
    public static func open(
        _ location: StoreLocation, ifMissing missing: Missing, logger: Logger = .disabled
    ) async throws(TenantPilotError) -> Store {
        let database = try StoreDatabase.resolve(
            location, passwordFile: nil, environment: ProcessInfo.processInfo.environment, logger: logger)
        return try await open(database, location: location, ifMissing: missing, logger: logger)
    }

    /// Opens and migrates `database`, which `location` named; where there is no store — no file,
    /// or a PostgreSQL database without tenantpilot's tables — creates it or refuses, as
    /// `missing` says. This is the one place that decides whether a store comes into being.
    public static func open(
        _ database: StoreDatabase, location: StoreLocation?, ifMissing missing: Missing, logger: Logger = .disabled
    ) async throws(TenantPilotError) -> Store {
        switch database {
        case .sqlite(let path):
            if missing == .refuse, !exists(atPath: path) {
                throw .storeNotFound(location ?? StoreLocation(path: path, source: .option))
            }
            let backend = try await SQLiteBackend.open(path: path, busyTimeout: busyTimeout, logger: logger)
            return Store(database: .sqlite(path: backend.path), backend: backend, logger: logger)
        case .postgreSQL(let postgreSQL):
            let backend = try await PostgreSQLBackend.open(
                postgreSQL, mustExist: missing == .refuse, logger: logger)
            return Store(database: database, backend: backend, logger: logger)
        }
    }

    /// `open(_:location:ifMissing:)` without a rule to name: with `mustExist`, a store that is not
    /// there yet is `STORE_NOT_FOUND` and nothing is created; else it is created.
    public static func open(_ database: StoreDatabase, mustExist: Bool = false, logger: Logger = .disabled)
        async throws(TenantPilotError) -> Store
    {
        try await open(database, location: nil, ifMissing: mustExist ? .refuse : .create, logger: logger)
    }

    /// The version of the SQLite library this binary uses (`3.46.1`).
    public static var sqliteVersion: String? { SQLiteBackend.libraryVersion() }

    /// Whether a SQLite store is there (a file, or a link to one).
    public static func exists(at location: StoreLocation) -> Bool {
        exists(atPath: location.path)
    }

    private static func exists(atPath path: String) -> Bool {
        switch SafeFiles.entry(at: path) {
        case .file, .link, .directory, .other: true
        case .missing, .danglingLink: false
        }
    }

    /// Whether processes on several hosts may share this store (PostgreSQL).
    public var isShared: Bool { database.isShared }

    // MARK: - Locks

    /// Takes a lock without waiting; nil when another process (on any host) holds it. Released
    /// by `StoreLock.release()`, and when the holder dies.
    public func tryLock(_ name: StoreLockName, mode: StoreLockMode = .exclusive) async throws(TenantPilotError)
        -> StoreLock?
    {
        try boundary(await backend.tryLock(name, mode: mode), action: "take the lock of \(name)", verb: "lock")
    }

    // MARK: - Transactions

    /// Runs `body` in one write transaction. `action` ("add items to backup set 4") names the
    /// work in the message of a database failure.
    public func write<T: Sendable>(
        _ action: String? = nil, _ body: @escaping @Sendable (any StoreTransaction) throws -> T
    ) async throws(TenantPilotError) -> T {
        try boundary(await backend.write(body), action: action, verb: "write")
    }

    /// `write` for a transaction that deletes most of the backup sets: on SQLite the foreign keys
    /// are checked once, before the commit, and the sets and items that stay are kept while the
    /// tables are emptied, which is many times faster than deleting nearly every row one by one.
    /// Retention's application uses it when its rules are bound to delete most sets.
    public func bulkDeletionWrite<T: Sendable>(
        _ action: String? = nil, _ body: @escaping @Sendable (any StoreTransaction) throws -> T
    ) async throws(TenantPilotError) -> T {
        try boundary(await backend.bulkDeletionWrite(body), action: action, verb: "write")
    }

    /// Runs `body` in a read-only snapshot.
    public func read<T: Sendable>(
        _ action: String? = nil, _ body: @escaping @Sendable (any StoreTransaction) throws -> T
    ) async throws(TenantPilotError) -> T {
        try boundary(await backend.read(body), action: action, verb: "read")
    }

    // MARK: - Maintenance

    /// Gives free pages back to the file system in steps of `stepPages`, each its own short
    /// write (so a dispatch waiting to write is never held up for long), until none are left.
    /// Returns the number of pages given back. Retention calls it after deleting sets.
    @discardableResult
    public func releaseFreePages(stepPages: Int = 128, maxSteps: Int = 1_000_000) async throws(TenantPilotError) -> Int
    {
        try boundary(
            await backend.releaseFreePages(stepPages: max(1, stepPages), maxSteps: maxSteps),
            action: "reclaim free space",
            verb: "write")
    }

    /// Closes the store once every access in flight has ended; nothing may use it afterwards.
    /// A command's store is closed when the command ends (for SQLite this also checkpoints the
    /// WAL at once, rather than whenever the last reference goes).
    public func close() async throws(TenantPilotError) {
        try boundary(await backend.close(), action: "close the store", verb: "write")
    }

    /// How many bytes the store takes on disk.
    public func sizeInBytes() async throws(TenantPilotError) -> Int64 {
        try boundary(await backend.sizeInBytes(), action: "measure the store", verb: "read")
    }

    /// What `doctor` reports about the store itself.
    public func health() async throws(TenantPilotError) -> StoreHealth {
        try boundary(await backend.health(), action: "check the store", verb: "read")
    }

    /// A database failure as one line, for messages that add it to their own.
    public func describe(_ error: any Error) -> String {
        backend.describe(error)
    }

    private func boundary<T>(_ result: Result<T, any Error>, action: String?, verb: String) throws(TenantPilotError)
        -> T
    {
        switch result {
        case .success(let value):
            return value
        case .failure(let error as TenantPilotError):
            throw error
        case .failure(let error):
            let message =
                action.map { "cannot \($0): \(backend.describe(error))" }
                ?? "store \(verb) failed (\(path)): \(backend.describe(error))"
            logger.debug("store \(verb) failed", metadata: ["error": "\(backend.describe(error))"])
            throw .failed(message, code: .storeUnavailable)
        }
    }
}

extension TenantPilotError {
    /// `STORE_NOT_FOUND` (exit 1): the path, where it came from, and what to do.
    public static func storeNotFound(_ location: StoreLocation) -> TenantPilotError {
        .failed(
            "no store at \(location.path) (\(location.origin)); check the path and the environment cron or "
                + "systemd gives tenantpilot, or create the store with `tenantpilot tenants add`",
            code: .storeNotFound)
    }
}
