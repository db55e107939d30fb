import Foundation
import Logging

/// The advisory locks of the PostgreSQL store. Every key is a pair of 32-bit integers (the
/// two-key form of `pg_advisory_lock`): a class of ours (`0x5450_4Cxx`, "TPL" and a kind) and the
/// id of what is locked, so that other applications sharing the database do not collide with us.
///
/// - schedule and tenant locks are session locks, each on a connection of its own that the run
///   holds for its whole execution: the server releases them when the process or its host dies
///   (a dead host's connection is noticed through TCP keepalives within about a minute);
/// - each process holds its *process lock* on its main connection for as long as it has the
///   store open: a run it claimed but has not started yet (`pending`) is abandoned only when
///   that lock is free — from whichever host looks;
/// - migrations run under a transaction lock, so two processes never migrate at once.
enum PostgreSQLLockKey {
    static let schedule: Int32 = 0x5450_4C01
    static let tenant: Int32 = 0x5450_4C02
    static let process: Int32 = 0x5450_4C03
    static let migration: Int32 = 0x5450_4C04
    /// `StoreTransaction.lockRegistrations`.
    static let registration: Int32 = 0x5450_4C05

    static func key(_ name: StoreLockName) -> (Int32, Int32) {
        switch name {
        case .schedule(let id): (schedule, Int32(truncatingIfNeeded: id))
        case .tenant(let id): (tenant, Int32(truncatingIfNeeded: id))
        }
    }

    /// The process lock's key of a run's owner: 31 bits of the FNV-1a hash of `host/process`.
    /// Two processes whose keys collide both read as alive while either lives — never a live
    /// one as dead.
    static func process(host: String, process: String) -> (Int32, Int32) {
        var hash: UInt32 = 2_166_136_261
        for byte in "\(host)/\(process)".utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return (self.process, Int32(bitPattern: hash & 0x7FFF_FFFF))
    }

}

/// Connections that hold schedule and tenant locks, one lock per connection at a time. A
/// released lock's connection is unlocked and kept for the next lock, so a dispatch executing
/// many runs opens about as many lock connections as it runs at once.
final class PostgreSQLLockPool: @unchecked Sendable {
    private let location: PostgreSQLLocation
    private let logger: Logger
    private let idle = Locked<[PostgreSQLConnection]>([])
    private let queue = DispatchQueue(label: "tenantpilot.postgresql.locks", attributes: .concurrent)

    init(location: PostgreSQLLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    /// Tries the lock on a connection of its own, off the caller's thread.
    func tryLock(_ name: StoreLockName, mode: StoreLockMode) async -> Result<StoreLock?, any Error> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { try self.tryLockNow(name, mode: mode) })
            }
        }
    }

    private func tryLockNow(_ name: StoreLockName, mode: StoreLockMode) throws -> StoreLock? {
        let connection = try idle.withLock { $0.popLast() } ?? PostgreSQLConnection.open(location, logger: logger)
        let key = PostgreSQLLockKey.key(name)
        let function = mode == .shared ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock"
        let acquired: Bool
        do {
            acquired =
                try connection.row("SELECT \(function)($1, $2) AS acquired", [key.0, key.1])?.bool("acquired") ?? false
        } catch {
            connection.close()
            throw error
        }
        guard acquired else {
            idle.withLock { $0.append(connection) }
            return nil
        }
        let unlock = mode == .shared ? "pg_advisory_unlock_shared" : "pg_advisory_unlock"
        return StoreLock(name: name) { [self] in
            // Unlocked before it is handed out again; a connection that cannot unlock is closed,
            // which releases the lock too.
            do {
                try connection.query("SELECT \(unlock)($1, $2)", [key.0, key.1])
                idle.withLock { $0.append(connection) }
            } catch {
                logger.debug("closing a lock connection that could not unlock", metadata: ["lock": "\(name)"])
                connection.close()
            }
        }
    }

    /// Closes the idle connections (held locks close with their holders).
    func close() {
        for connection in idle.withLock({ pool in
            defer { pool.removeAll() }
            return pool
        }) {
            connection.close()
        }
    }
}
