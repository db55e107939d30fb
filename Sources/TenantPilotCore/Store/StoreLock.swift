/// The locks that coordinate processes — on one host or several — working on one store. Each
/// is held until released or until its holder dies: SQLite's are `flock`s on files in
/// `<db>.locks/` (released by the kernel), PostgreSQL's are session advisory locks on a
/// connection of their own (released by the server when the connection goes).
public enum StoreLockName: Sendable, Hashable, CustomStringConvertible {
    /// One execution of a schedule at a time (docs/architecture.md step 2).
    case schedule(Int64)
    /// Backups of a tenant (shared) against a restore into it (exclusive).
    case tenant(Int64)

    public var description: String {
        switch self {
        case .schedule(let id): "schedule \(id)"
        case .tenant(let id): "tenant \(id)"
        }
    }
}

/// How a lock is held: alone, or beside other shared holders.
public enum StoreLockMode: Sendable, Equatable {
    case exclusive
    case shared
}

/// A lock the caller holds; released by `release()` (at most once takes effect), when the value
/// goes away, and by the system when the process dies.
public final class StoreLock: Sendable {
    public let name: StoreLockName
    private let releaser: Releaser

    init(name: StoreLockName, release: @escaping @Sendable () -> Void) {
        self.name = name
        self.releaser = Releaser(release)
    }

    /// Releases the lock now.
    public func release() {
        releaser.run()
    }

    deinit { releaser.run() }

    /// Runs its closure once, whoever asks first.
    private final class Releaser: Sendable {
        private let body: Locked<(@Sendable () -> Void)?>

        init(_ body: @escaping @Sendable () -> Void) { self.body = Locked(body) }

        func run() {
            let body = self.body.withLock { body in
                defer { body = nil }
                return body
            }
            body?()
        }
    }
}
