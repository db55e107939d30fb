import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL store (docs/operations.md §12): one database that processes on several hosts share.
///
/// Threads: a transaction runs on a connection of the store's pool (`PostgreSQLSessionPool`,
/// up to `sessions` connections), from that connection's serial dispatch queue. A body — the
/// same synchronous closure a SQLite transaction runs — issues its statements one after another,
/// each waiting for its answer on that queue's thread (postgres-nio does the I/O on its event
/// loops); the calling task is suspended meanwhile, so no thread of Swift's cooperative pool
/// waits for the server, and transactions of runs executing at once proceed side by side.
///
/// Isolation: a write runs READ COMMITTED, and what SQLite's one writer at a time guarantees is
/// kept by the owners explicitly: a claim is decided by UNIQUE (`backup_schedule_id`,
/// `scheduled_for`) with `INSERT … ON CONFLICT DO NOTHING`, which waits for a concurrent
/// claimer and then finds the slot taken; a schedule read in a write transaction is locked;
/// content-addressed rows being referenced are locked against retention's deletion, which
/// deletes only what is still unreferenced once it holds the rows. (SERIALIZABLE was measured:
/// its predicate locks on the small, hot indexes aborted about ten transactions per run.) A
/// deadlock or a serialisation failure (a custom `default_transaction_isolation` of the
/// server's does not apply: the level is set per transaction) is run again from the start — a
/// body must not act outside the store. A read is a REPEATABLE READ snapshot, as a WAL reader is.
///
/// Locks are advisory (`PostgreSQLLocks`); each process holds its process lock on the main
/// connection while the store is open.
final class PostgreSQLBackend: StoreBackend {
    let location: PostgreSQLLocation
    let logger: Logger
    private let sessions: PostgreSQLSessionPool
    let locks: PostgreSQLLockPool
    /// The server's version, as `SHOW server_version` prints it.
    let serverVersion: String

    /// How often a transaction is tried before its serialisation failure is reported.
    static let maxAttempts = 40
    /// PostgreSQL 12 brought `VACUUM (SKIP_LOCKED)`; identity columns and ON CONFLICT are older.
    static let minimumServerVersion = 120_000
    /// Connections for transactions at most, per process (a dispatch runs 4 runs at once by default).
    static let sessions = 4

    private init(
        location: PostgreSQLLocation, main: PostgreSQLConnection, queue: DispatchQueue, serverVersion: String,
        logger: Logger
    ) {
        self.location = location
        self.sessions = PostgreSQLSessionPool(
            first: .init(connection: main, queue: queue), location: location, maximum: Self.sessions, logger: logger)
        self.serverVersion = serverVersion
        self.logger = logger
        self.locks = PostgreSQLLockPool(location: location, logger: logger)
    }

    /// Connects, checks the server, applies missing migrations (unless `mustExist` finds no
    /// store there: then `STORE_NOT_FOUND`) and takes this process's lock.
    static func open(_ location: PostgreSQLLocation, mustExist: Bool, logger: Logger) async throws(TenantPilotError)
        -> PostgreSQLBackend
    {
        let queue = DispatchQueue(label: "tenantpilot.postgresql")
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<PostgreSQLBackend, TenantPilotError>, Never>) in
            queue.async {
                do throws(TenantPilotError) {
                    continuation.resume(
                        returning: .success(
                            try openNow(location, queue: queue, mustExist: mustExist, logger: logger)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private static func openNow(
        _ location: PostgreSQLLocation, queue: DispatchQueue, mustExist: Bool, logger: Logger
    ) throws(TenantPilotError) -> PostgreSQLBackend {
        let shown = location.displayURL
        let main: PostgreSQLConnection
        do {
            main = try PostgreSQLConnection.open(location, logger: logger)
        } catch {
            let message = PostgreSQLErrors.describe(error, location: location)
            if (error as? PSQLError)?.sqlState == "3D000" {
                throw .failed(
                    "cannot open the store \(shown): \(message); create the database first (createdb)",
                    code: mustExist ? .storeNotFound : .storeUnavailable)
            }
            throw .failed("cannot connect to the store \(shown): \(message)", code: .storeUnavailable)
        }
        do {
            guard
                let facts = try main.row(
                    """
                    SELECT current_setting('server_version_num')::int AS number, current_setting('server_version') AS version,
                           to_regclass('schema_migrations') IS NOT NULL AS migrated
                    """)
            else { throw TenantPilotError.failed("the server answered nothing", code: .storeUnavailable) }
            let version = try facts.string("version")
            guard try facts.value("number", as: Int32.self) >= minimumServerVersion else {
                throw TenantPilotError.failed(
                    "the store \(shown) is on PostgreSQL \(version); tenantpilot needs PostgreSQL 12 or newer",
                    code: .storeUnavailable)
            }
            var applied: Set<String> = []
            if try facts.bool("migrated") {
                applied = Set(
                    try main.rows("SELECT identifier FROM schema_migrations").map { try $0.string("identifier") })
            }
            if applied.isEmpty && mustExist {
                throw TenantPilotError.failed(
                    "no store in the database \(shown) (it holds no tenantpilot tables yet); "
                        + "check --db and TENANTPILOT_DB, or create it with `tenantpilot tenants add`",
                    code: .storeNotFound)
            }
            try migrate(main, location: location, applied: applied, logger: logger)
            let backend = PostgreSQLBackend(
                location: location, main: main, queue: queue, serverVersion: version, logger: logger)
            let key = PostgreSQLLockKey.process(host: HostIdentity.current, process: ProcessIdentity.current)
            try main.query("SELECT pg_try_advisory_lock($1, $2)", [key.0, key.1])
            return backend
        } catch let error as TenantPilotError {
            main.close()
            throw error
        } catch {
            main.close()
            throw .failed(
                "cannot open the store \(shown): \(PostgreSQLErrors.describe(error, location: location))",
                code: .storeUnavailable)
        }
    }

    /// Applies the missing migrations in one transaction under the migration lock; a second
    /// process waits for it and then finds them applied. Refuses a store written by a newer binary.
    private static func migrate(
        _ main: PostgreSQLConnection, location: PostgreSQLLocation, applied: Set<String>, logger: Logger
    ) throws {
        let known = PostgreSQLSchema.knownMigrations
        if let unknown = applied.subtracting(known).sorted().first {
            throw TenantPilotError.failed(
                "the store \(location.displayURL) was written by a newer tenantpilot (migration \(unknown)); upgrade this binary",
                code: .storeTooNew)
        }
        if applied.count == known.count { return }
        try main.execute("BEGIN")
        do {
            try main.query("SELECT pg_advisory_xact_lock($1, 0)", [PostgreSQLLockKey.migration])
            try main.execute(PostgreSQLSchema.migrationsTable)
            let current = Set(
                try main.rows("SELECT identifier FROM schema_migrations").map { try $0.string("identifier") })
            logger.info(
                "migrating the store",
                metadata: [
                    "store": "\(location.displayURL)", "applied": "\(current.count)", "known": "\(known.count)",
                ])
            for (name, sql) in PostgreSQLSchema.migrations where !current.contains(name) {
                for statement in statements(sql) { try main.execute(statement) }
                try main.execute("INSERT INTO schema_migrations (identifier) VALUES ($1)", [name])
            }
            try main.execute("COMMIT")
        } catch {
            _ = try? main.execute("ROLLBACK")
            throw error
        }
    }

    /// A script's statements (each ends with `;` at the end of a line; none holds one inside).
    static func statements(_ script: String) -> [String] {
        script.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
    }

    // MARK: - Transactions

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async -> Result<
        T, any Error
    > {
        await onQueue { connection in
            try self.transaction(connection, begin: "BEGIN ISOLATION LEVEL READ COMMITTED", readOnly: false, body)
        }
    }

    /// A write like any other: PostgreSQL has no cheaper way to delete most rows that keeps the
    /// other hosts' transactions running (`TRUNCATE` takes an exclusive lock on the table).
    func bulkDeletionWrite<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async
        -> Result<T, any Error>
    {
        await write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async -> Result<T, any Error>
    {
        await onQueue { connection in
            try self.transaction(
                connection, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", readOnly: true, body)
        }
    }

    /// Runs `body` in one transaction, again from the start after a serialisation failure or a
    /// deadlock (with a short random pause that grows with each attempt).
    private func transaction<T>(
        _ connection: PostgreSQLConnection, begin: String, readOnly: Bool, _ body: (any StoreTransaction) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            do {
                connection.retryableFailure = nil
                try connection.execute(begin)
                let value: T
                do {
                    value = try body(PostgreSQLTransaction(connection: connection, readOnly: readOnly))
                } catch {
                    _ = try? connection.execute("ROLLBACK")
                    throw connection.retryableFailure ?? error
                }
                if let failure = connection.retryableFailure { throw failure }
                try connection.execute("COMMIT")
                return value
            } catch  where PostgreSQLErrors.isRetryable(error) && attempt < Self.maxAttempts {
                _ = try? connection.execute("ROLLBACK")
                logger.trace("transaction retried after a serialisation failure", metadata: ["attempt": "\(attempt)"])
                usleep(UInt32.random(in: 0...UInt32(min(attempt, 10) * 2_000)))
                attempt += 1
            }
        }
    }

    /// Runs `work` with a connection of the pool, on that connection's queue.
    func onQueue<T: Sendable>(_ work: @escaping @Sendable (PostgreSQLConnection) throws -> T) async -> Result<
        T, any Error
    > {
        await sessions.run(work)
    }

    // MARK: - Locks

    func tryLock(_ name: StoreLockName, mode: StoreLockMode) async -> Result<StoreLock?, any Error> {
        await locks.tryLock(name, mode: mode)
    }

    // MARK: - Maintenance

    /// Tables whose rows retention and purge delete.
    static let reclaimedTables = [
        "backup_items", "backup_item_versions", "backup_item_keys", "backup_payloads", "backup_sets",
    ]

    /// PostgreSQL's form of giving space back: a plain `VACUUM` of the tables that lost rows
    /// (payloads' TOAST included). It makes the dead rows' space reusable at once, gives the
    /// pages at the end of each file back to the file system, and never blocks readers or
    /// writers; a table another VACUUM (autovacuum) is working on is skipped. `VACUUM FULL`,
    /// which would return all space but locks the table, is never run. Returns the number of
    /// 8 KiB pages the files shrank by.
    func releaseFreePages(stepPages: Int, maxSteps: Int) async -> Result<Int, any Error> {
        await onQueue { connection in
            let sizes = """
                SELECT coalesce(sum(pg_total_relation_size(to_regclass(name))), 0)::bigint AS bytes
                FROM unnest($1::text[]) AS name
                """
            let before = try connection.row(sizes, [Self.reclaimedTables])?.int64("bytes") ?? 0
            try connection.execute("VACUUM (SKIP_LOCKED) " + Self.reclaimedTables.joined(separator: ", "))
            let after = try connection.row(sizes, [Self.reclaimedTables])?.int64("bytes") ?? 0
            return Int(max(0, before - after) / 8192)
        }
    }

    /// The database's size on the server (`pg_database_size`): every table, index and TOAST.
    func sizeInBytes() async -> Result<Int64, any Error> {
        await onQueue { connection in
            try connection.row("SELECT pg_database_size(current_database()) AS bytes")?.int64("bytes") ?? 0
        }
    }

    func health() async -> Result<StoreHealth, any Error> {
        let location = self.location
        let version = serverVersion
        return await onQueue { connection in
            let applied = try connection.row("SELECT count(*) AS applied FROM schema_migrations")?.int("applied") ?? 0
            let facts = try connection.row(
                """
                SELECT current_user AS name,
                       coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS tls,
                       (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
                            AND classid = $1::bigint::oid
                            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS held
                """, [Int64(PostgreSQLLockKey.schedule)])
            var health = StoreHealth(
                journalMode: "postgresql", appliedMigrations: applied,
                knownMigrations: PostgreSQLSchema.knownMigrations.count, integrityProblems: [])
            health.server = StoreHealth.Server(
                version: version, user: try facts?.string("name") ?? location.user, database: location.database,
                tls: try facts?.bool("tls") ?? false, scheduleLocksHeld: try facts?.int("held") ?? 0)
            return health
        }
    }

    /// Closes every connection (the command's work has ended).
    func close() async -> Result<Void, any Error> {
        locks.close()
        await sessions.close()
        return .success(())
    }

    func describe(_ error: any Error) -> String {
        PostgreSQLErrors.describe(error, location: location)
    }
}
