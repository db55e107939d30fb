import Foundation
import GRDB
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SQLite store: one file in WAL mode with foreign keys on, mode 0600, migrated forward on
/// open (GRDB `DatabasePool`). Concurrent processes (a cron dispatch and an admin's command)
/// wait on each other through the busy timeout; GRDB opens write transactions IMMEDIATE.
///
/// Work runs on GRDB's own dispatch queues (the writer's serial queue, the readers' pool), to
/// which `read` and `write` hand it with `asyncRead`/`asyncWrite`; the caller's task is
/// suspended meanwhile, so a write waiting for another process's lock holds no thread of the
/// cooperative pool. A write, once started, is not cancelled with its task: a run's final row
/// is written even when the run was cancelled.
final class SQLiteBackend: StoreBackend {
    let path: String
    let pool: DatabasePool
    let logger: Logger

    private init(path: String, pool: DatabasePool, logger: Logger) {
        self.path = path
        self.pool = pool
        self.logger = logger
    }

    /// Opens (creating if needed) and migrates the store at `path`. Opening can wait for
    /// another process's migration, so it runs on a thread of its own.
    static func open(path: String, busyTimeout: TimeInterval, logger: Logger) async throws(TenantPilotError)
        -> SQLiteBackend
    {
        typealias Opened = (backend: SQLiteBackend, migratedData: Bool)
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Opened, TenantPilotError>, Never>) in
            openQueue.async {
                do throws(TenantPilotError) {
                    continuation.resume(
                        returning: .success(try openNow(path: path, busyTimeout: busyTimeout, logger: logger)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        let (backend, migratedData) = try result.get()
        // A migration that rebuilt tables of a store with data (v3 rewrites every backup item)
        // leaves their old pages free: give them back now, not at the next retention.
        if migratedData {
            if case .failure(let error) = await backend.releaseFreePages(stepPages: 128, maxSteps: 1_000_000) {
                throw .failed(
                    "cannot reclaim free space in \(backend.path): \(describe(error))", code: .storeUnavailable)
            }
        }
        return backend
    }

    private static let openQueue = DispatchQueue(label: "tenantpilot.store.open")

    private static func openNow(
        path: String, busyTimeout: TimeInterval, logger: Logger
    ) throws(TenantPilotError) -> (backend: SQLiteBackend, migratedData: Bool) {
        let url = URL(fileURLWithPath: path)
        try prepareFile(at: url)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "tenantpilot"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Up to 64 MiB of pages per connection (SQLite's default is 2 MiB), taken only as
            // pages are read: retention reads and deletes most of the sets of a large store in a
            // transaction, and with a small cache it spills pages to the WAL and reads them back.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration)
        } catch {
            throw .failed("cannot open the store \(url.path): \(describe(error))", code: .storeUnavailable)
        }
        let backend = SQLiteBackend(path: url.path, pool: pool, logger: logger)
        return (backend, try backend.migrate())
    }

    // MARK: - Transactions

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async -> Result<
        T, any Error
    > {
        await withCheckedContinuation { continuation in
            pool.asyncWrite(
                { db in try body(SQLiteTransaction(db: db)) },
                completion: { _, result in continuation.resume(returning: result) })
        }
    }

    /// The foreign keys checked once before the commit, the sets and items that stay kept while
    /// their tables are emptied (`SQLiteBulkDeletion`).
    func bulkDeletionWrite<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async
        -> Result<T, any Error>
    {
        await writeWithoutTransaction { db in
            try SQLiteBulkDeletion.run(db) { try body(SQLiteTransaction(db: db, bulk: SQLiteBulkDeletion.Scope())) }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async -> Result<T, any Error>
    {
        await withCheckedContinuation { continuation in
            pool.asyncRead { access in
                continuation.resume(returning: Result { try body(SQLiteTransaction(db: try access.get())) })
            }
        }
    }

    /// Runs `body` on the writer's queue outside any transaction (PRAGMAs that cannot run in one).
    private func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async
        -> Result<T, any Error>
    {
        await withCheckedContinuation { continuation in
            pool.asyncWriteWithoutTransaction { db in continuation.resume(returning: Result { try body(db) }) }
        }
    }

    // MARK: - Locks

    /// `<db>.locks/schedule-<id>.lock` and `tenant-<id>.lock`, flocked exclusive or shared.
    func tryLock(_ name: StoreLockName, mode: StoreLockMode) async -> Result<StoreLock?, any Error> {
        Result {
            try ensureLockDirectory()
            let path = lockDirectory + "/" + Self.lockFile(name)
            let lock = mode == .shared ? try FileLock.tryAcquireShared(path: path) : try FileLock.tryAcquire(path: path)
            return lock.map { lock in StoreLock(name: name) { lock.release() } }
        }
    }

    static func lockFile(_ name: StoreLockName) -> String {
        switch name {
        case .schedule(let id): "schedule-\(id).lock"
        case .tenant(let id): "tenant-\(id).lock"
        }
    }

    // MARK: - Maintenance

    /// Gives free pages back in steps of `stepPages`, each its own short write, until none are
    /// left. Does nothing on a file made without `auto_vacuum = INCREMENTAL`. Retention calls it
    /// after deleting sets, and `migrate` after a migration that rewrote tables of a store.
    ///
    /// When most of the file is free and what is in use is small (a first retention of a long
    /// history leaves a twentieth), one `VACUUM` rewrites the pages in use instead: an
    /// incremental step looks each page it gives back up in the free list, so its work grows
    /// with the free pages (0.55 s for 15,000), the rewrite's with the pages in use (0.06 s for
    /// 1,100), and at `vacuumPagesInUse` of them it holds the writers for about a second.
    func releaseFreePages(stepPages: Int, maxSteps: Int) async -> Result<Int, any Error> {
        let mode = await writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") ?? 0 }
        guard case .success(2) = mode else { return mode.map { _ in 0 } }
        let rewritten = await writeWithoutTransaction { db in try Self.vacuumWhenMostlyFree(db) }
        guard case .success(nil) = rewritten else { return rewritten.map { $0 ?? 0 } }
        var released = 0
        for _ in 0..<maxSteps {
            let step = await writeWithoutTransaction { db in try Self.vacuumStep(db, pages: stepPages) }
            guard case .success(let (before, after)) = step else { return step.map { _ in released } }
            if before == 0 || after >= before { break }
            released += before - after
        }
        // Lets the file shrink now rather than at the next automatic checkpoint; PASSIVE
        // never waits for readers.
        return await writeWithoutTransaction { db in try Self.checkpoint(db) }.map { released }
    }

    /// The most pages in use for which `releaseFreePages` rewrites the file (64 MiB of 4 KiB pages).
    static let vacuumPagesInUse = 16_384

    /// Rewrites the file with `VACUUM` when more of its pages are free than in use and those in
    /// use are at most `vacuumPagesInUse`; returns the pages given back, or nil for no rewrite.
    private static func vacuumWhenMostlyFree(_ db: Database) throws -> Int? {
        let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let inUse = (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) - free
        guard free > inUse, inUse <= vacuumPagesInUse else { return nil }
        let before = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        try db.execute(sql: "VACUUM")
        try checkpoint(db)
        return before - (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
    }

    private static func vacuumStep(_ db: Database, pages: Int) throws -> (Int, Int) {
        let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        if before == 0 { return (0, 0) }
        try db.execute(sql: "PRAGMA incremental_vacuum(\(pages))")
        return (before, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
    }

    private static func checkpoint(_ db: Database) throws {
        _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
    }

    /// The file and its WAL (the `-shm` index is memory, not data).
    func sizeInBytes() async -> Result<Int64, any Error> {
        var total: Int64 = 0
        for file in [path, path + "-wal"] {
            var info = stat()
            if stat(file, &info) == 0 { total += Int64(info.st_size) }
        }
        return .success(total)
    }

    func health() async -> Result<StoreHealth, any Error> {
        await withCheckedContinuation { continuation in
            pool.asyncRead { access in
                continuation.resume(
                    returning: Result {
                        let db = try access.get()
                        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                        return StoreHealth(
                            journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
                            appliedMigrations: try StoreSchema.migrator.appliedIdentifiers(db).count,
                            knownMigrations: StoreSchema.knownMigrations.count,
                            integrityProblems: integrity == ["ok"] ? [] : integrity)
                    })
            }
        }
    }

    /// Closes the readers first, then the writer: the last connection to close checkpoints
    /// the WAL and deletes it, as when the pool is released (GRDB's `close` alone closes the
    /// writer first and leaves the WAL file behind).
    func close() async -> Result<Void, any Error> {
        await withCheckedContinuation { continuation in
            Self.openQueue.async {
                continuation.resume(
                    returning: Result {
                        self.pool.releaseMemory()
                        try self.pool.close()
                    })
            }
        }
    }

    func describe(_ error: any Error) -> String {
        Self.describe(error)
    }

    /// `SELECT sqlite_version()` of an in-memory database: the library actually loaded.
    static func libraryVersion() -> String? {
        try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }

    // MARK: - Opening

    var lockDirectory: String { path + ".locks" }

    /// Applies missing migrations under an exclusive lock, so that two processes opening an
    /// older file at once never both migrate. Refuses a file written by a newer binary.
    /// Returns whether a store that already held tables was migrated.
    private func migrate() throws(TenantPilotError) -> Bool {
        let migrator = StoreSchema.migrator
        do {
            let applied = try pool.read { try migrator.appliedIdentifiers($0) }
            let known = Set(StoreSchema.knownMigrations)
            if let unknown = applied.subtracting(known).sorted().first {
                throw TenantPilotError.failed(
                    "the store \(path) was written by a newer tenantpilot (migration \(unknown)); upgrade this binary",
                    code: .storeTooNew)
            }
            if applied.count == known.count { return false }
            try ensureLockDirectory()
            let lock = try FileLock.acquire(path: lockDirectory + "/migrate.lock")
            defer { lock.release() }
            try enableIncrementalVacuumIfEmpty()
            logger.info(
                "migrating the store",
                metadata: ["path": "\(path)", "applied": "\(applied.count)", "known": "\(known.count)"])
            try migrator.migrate(pool)
            return !applied.isEmpty
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("cannot migrate the store \(path): \(Self.describe(error))", code: .storeUnavailable)
        }
    }

    /// A new file gets `auto_vacuum = INCREMENTAL` before its first table, so that retention can
    /// give space back in small steps instead of a long exclusive VACUUM.
    private func enableIncrementalVacuumIfEmpty() throws {
        try pool.writeWithoutTransaction { db in
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            if tables == 0 {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
            }
        }
    }

    private func ensureLockDirectory() throws(TenantPilotError) {
        try Self.createLockDirectory(lockDirectory)
    }

    /// Creates the folder of a store's lock files (mode 0700 whatever the umask, never through a
    /// link) if it is missing.
    static func createLockDirectory(_ path: String) throws(TenantPilotError) {
        do {
            try SafeFiles.makeDirectories(path, mode: 0o700)
        } catch {
            throw .failed("cannot create the lock folder \(error.message)", code: .storeUnavailable)
        }
    }

    /// Creates the folders (0700) and the file (0600) before SQLite does — exactly those modes
    /// whatever the umask, and never through a symbolic link — so the file is never readable by
    /// others, not even for a moment. SQLite gives `-wal`/`-shm` the file's mode.
    private static func prepareFile(at url: URL) throws(TenantPilotError) {
        do {
            try SafeFiles.makeDirectories(url.deletingLastPathComponent().path, mode: 0o700)
            switch SafeFiles.entry(at: url.path) {
            case .missing:
                try SafeFiles.createFile(url.path, mode: 0o600)
            case .danglingLink:
                throw TenantPilotError.failed(
                    "the store \(url.path) is a symbolic link to nothing; the store is never created through a link",
                    code: .storeUnavailable)
            case .directory, .other:
                throw TenantPilotError.failed("the store \(url.path) is not a regular file", code: .storeUnavailable)
            case .file, .link:
                break
            }
        } catch let error as SafeFiles.Failure {
            throw .failed("cannot create the store \(error.message)", code: .storeUnavailable)
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("cannot create the store \(url.path): \(error)", code: .storeUnavailable)
        }
    }
}
