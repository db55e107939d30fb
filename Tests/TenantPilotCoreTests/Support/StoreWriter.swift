import GRDB

@testable import TenantPilotCore

extension Store {
    /// The SQLite pool under the store, for tests that arrange or inspect rows directly
    /// (services reach the store only through `read` and `write`). Its methods are the
    /// blocking ones, also inside async tests.
    var writer: BlockingWriter {
        BlockingWriter(pool: (backend as! SQLiteBackend).pool)
    }
}

/// GRDB's blocking accesses only, so that `store.writer.read { … }` means the same in a
/// synchronous and in an async test.
struct BlockingWriter {
    let pool: DatabasePool

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction(body)
    }
}

extension DatabaseQueue {
    /// `write`, blocking, also inside async tests.
    func writeNow<T>(_ body: (Database) throws -> T) throws -> T {
        try write(body)
    }

    /// `writeWithoutTransaction`, blocking, also inside async tests.
    func writeWithoutTransactionNow<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction(body)
    }
}
