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
/// (`PostgreSQLBackend`: one database that several hosts share), chosen by the `StoreLocation`;
/// both are migrated on open with the same named migrations.
public final class Store: Sendable {
    /// Where the store is.
    public let location: StoreLocation
    /// The store as messages name it: the SQLite file's path, or the PostgreSQL URL (never
    /// with a password).
    public var path: String { location.displayName }
    let backend: any StoreBackend
    let logger: Logger

    /// How long a writer waits for another process's write transaction (or row lock) before failing.
    public static let busyTimeout: TimeInterval = 60

    init(location: StoreLocation, backend: any StoreBackend, logger: Logger) {
        self.location = location
        self.backend = backend
        self.logger = logger
    }

    /// Opens (creating if needed) and migrates the SQLite store at `path`.
    public static func open(path: String, logger: Logger = .disabled) async throws(TenantPilotError) -> Store {
        try await open(.sqlite(path: path), logger: logger)
    }

    /// Opens and migrates the store at `location`. With `mustExist`, a store that is not there
    /// yet — no file, or a PostgreSQL database without tenantpilot's tables — is
    /// `STORE_NOT_FOUND` and nothing is created; else it is created.
    public static func open(_ location: StoreLocation, mustExist: Bool = false, logger: Logger = .disabled)
        async throws(TenantPilotError) -> Store
    {
        switch location {
        case .sqlite(let path):
            if mustExist, !FileManager.default.fileExists(atPath: path) {
                throw .failed(
                    "no store at \(path) (from --db, $TENANTPILOT_DB, $TENANTPILOT_HOME or the default); "
                        + "check the path, or create it with `tenantpilot tenants add`",
                    code: .storeNotFound)
            }
            let backend = try await SQLiteBackend.open(path: path, busyTimeout: busyTimeout, logger: logger)
            return Store(location: .sqlite(path: backend.path), backend: backend, logger: logger)
        case .postgreSQL(let postgreSQL):
            let backend = try await PostgreSQLBackend.open(postgreSQL, mustExist: mustExist, logger: logger)
            return Store(location: location, backend: backend, logger: logger)
        }
    }

    /// Whether processes on several hosts may share this store (PostgreSQL).
    public var isShared: Bool { location.isShared }

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
