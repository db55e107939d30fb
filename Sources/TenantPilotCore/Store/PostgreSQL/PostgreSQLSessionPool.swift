import Foundation
import Logging

/// The connections that the store's transactions run on, each used from a serial dispatch queue
/// of its own: a transaction takes an idle one (or opens one, up to `maximum`, or waits for
/// one), runs its synchronous body there, and gives it back. So runs that a dispatch executes at
/// once do not wait behind each other's statements, as SQLite's readers do not; and no thread of
/// Swift's cooperative pool ever waits for the server.
///
/// The first connection is the one the store was opened with: it holds the process lock for as
/// long as the store is open.
final class PostgreSQLSessionPool: Sendable {
    /// A connection and the queue it is used from.
    final class Session: Sendable {
        let connection: PostgreSQLConnection
        let queue: DispatchQueue

        init(connection: PostgreSQLConnection, queue: DispatchQueue) {
            self.connection = connection
            self.queue = queue
        }
    }

    private struct State: Sendable {
        var idle: [Session] = []
        var opened = 0
        var waiting: [CheckedContinuation<Result<Session, any Error>, Never>] = []
        var closed = false
    }

    let location: PostgreSQLLocation
    let logger: Logger
    let maximum: Int
    private let state = Locked(State())

    init(first: Session, location: PostgreSQLLocation, maximum: Int, logger: Logger) {
        self.location = location
        self.maximum = max(1, maximum)
        self.logger = logger
        state.withLock { state in
            state.idle = [first]
            state.opened = 1
        }
    }

    /// Runs `work` with a connection of the pool, on that connection's queue.
    func run<T: Sendable>(_ work: @escaping @Sendable (PostgreSQLConnection) throws -> T) async -> Result<
        T, any Error
    > {
        let session: Session
        switch await acquire() {
        case .success(let acquired): session = acquired
        case .failure(let error): return .failure(error)
        }
        let result = await withCheckedContinuation { continuation in
            session.queue.async { continuation.resume(returning: Result { try work(session.connection) }) }
        }
        release(session)
        return result
    }

    private enum Next {
        case use(Session)
        case open
        case wait
        case closed
    }

    private func acquire() async -> Result<Session, any Error> {
        let next = state.withLock { state -> Next in
            if state.closed { return .closed }
            if let session = state.idle.popLast() { return .use(session) }
            if state.opened < maximum {
                state.opened += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .use(let session):
            return .success(session)
        case .closed:
            return .failure(TenantPilotError.failed("the store is closed", code: .internalError))
        case .wait:
            return await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Session? in
                    if let session = state.idle.popLast() { return session }
                    state.waiting.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: .success(ready)) }
            }
        case .open:
            let queue = DispatchQueue(label: "tenantpilot.postgresql.session")
            let (location, logger) = (self.location, self.logger)
            let opened = await withCheckedContinuation { continuation in
                queue.async {
                    continuation.resume(
                        returning: Result {
                            Session(connection: try PostgreSQLConnection.open(location, logger: logger), queue: queue)
                        })
                }
            }
            if case .failure = opened { state.withLock { $0.opened -= 1 } }
            return opened
        }
    }

    private func release(_ session: Session) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<Session, any Error>, Never>? in
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }
            state.idle.append(session)
            return nil
        }
        waiter?.resume(returning: .success(session))
    }

    /// Closes every connection; nothing may run on the pool afterwards.
    func close() async {
        let sessions = state.withLock { state -> [Session] in
            state.closed = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        for session in sessions {
            await withCheckedContinuation { continuation in
                session.queue.async {
                    session.connection.close()
                    continuation.resume()
                }
            }
        }
    }
}
