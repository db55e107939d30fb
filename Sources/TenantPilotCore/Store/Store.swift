import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SQLite store: one file in WAL mode with foreign keys on, mode 0600, migrated forward on
/// open. Every command opens it, does one unit of work and exits; concurrent processes (a cron
/// dispatch and an admin's command) wait on each other through the busy timeout.
public final class Store: Sendable {
    public let path: String
    /// The pool every service reads and writes through.
    public let writer: DatabasePool

    /// How long a writer waits for another process's write transaction before failing.
    public static let busyTimeout: TimeInterval = 60

    /// Opens (creating if needed) and migrates the store at `path`.
    public static func open(path: String) throws(TenantPilotError) -> Store {
        let url = URL(fileURLWithPath: path)
        try prepareFile(at: url)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "tenantpilot"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: url.path, configuration: configuration)
        } catch {
            throw .failed("cannot open the store \(url.path): \(describe(error))", code: "STORE_UNAVAILABLE")
        }
        let store = Store(path: url.path, writer: pool)
        try store.migrate()
        return store
    }

    private init(path: String, writer: DatabasePool) {
        self.path = path
        self.writer = writer
    }

    /// Folder holding this store's lock files (one per schedule, and one for migrations).
    public var lockDirectory: String { path + ".locks" }

    /// Applies missing migrations under an exclusive lock, so that two processes opening an
    /// older file at once never both migrate. Refuses a file written by a newer binary.
    func migrate() throws(TenantPilotError) {
        let migrator = StoreSchema.migrator
        do {
            let applied = try writer.read { try migrator.appliedIdentifiers($0) }
            let known = Set(StoreSchema.knownMigrations)
            if let unknown = applied.subtracting(known).sorted().first {
                throw TenantPilotError.failed(
                    "the store \(path) was written by a newer tenantpilot (migration \(unknown)); upgrade this binary",
                    code: "STORE_TOO_NEW")
            }
            if applied.count == known.count { return }
            try ensureLockDirectory()
            let lock = try FileLock.acquire(path: lockDirectory + "/migrate.lock")
            defer { lock.release() }
            try enableIncrementalVacuumIfEmpty()
            try migrator.migrate(writer)
            // A migration that rebuilt tables of a store with data (v3 rewrites every backup
            // item) leaves their old pages free: give them back now, not at the next retention.
            if !applied.isEmpty { try releaseFreePages() }
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("cannot migrate the store \(path): \(Self.describe(error))", code: "STORE_UNAVAILABLE")
        }
    }

    /// A new file gets `auto_vacuum = INCREMENTAL` before its first table, so that retention can
    /// give space back in small steps instead of a long exclusive VACUUM.
    private func enableIncrementalVacuumIfEmpty() throws {
        try writer.writeWithoutTransaction { db in
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            if tables == 0 {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
            }
        }
    }

    func ensureLockDirectory() throws(TenantPilotError) {
        do {
            try SafeFiles.makeDirectories(lockDirectory, mode: 0o700)
        } catch {
            throw .failed("cannot create the lock folder \(error.message)", code: "STORE_UNAVAILABLE")
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
                    code: "STORE_UNAVAILABLE")
            case .directory, .other:
                throw TenantPilotError.failed("the store \(url.path) is not a regular file", code: "STORE_UNAVAILABLE")
            case .file, .link:
                break
            }
        } catch let error as SafeFiles.Failure {
            throw .failed("cannot create the store \(error.message)", code: "STORE_UNAVAILABLE")
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("cannot create the store \(url.path): \(error)", code: "STORE_UNAVAILABLE")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
