import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to the server, used synchronously: every query waits for its answer on the
/// calling thread, which must be one of the store's own threads (a dispatch queue), never an
/// event loop's nor one of Swift's cooperative pool. postgres-nio's event loops do the I/O.
///
/// A connection is used by one thread at a time: the store's queue for transactions, the lock
/// pool for advisory locks.
final class PostgreSQLConnection: @unchecked Sendable {
    let connection: PostgresConnection
    let location: PostgreSQLLocation
    /// The logger handed to postgres-nio: never below `notice`, so that its trace of the
    /// protocol (which would include what authentication sends) never reaches `--log-level`.
    let logger: Logger

    /// A serialisation failure or deadlock met since the transaction began, even if the code
    /// that met it caught it (a savepoint's caller notes its failure and goes on): the
    /// transaction is then run again rather than committed. Used only on the owner's thread.
    var retryableFailure: (any Error)?

    /// How long one query may go unanswered before the connection is given up.
    static let queryTimeout: TimeInterval = 600

    private init(connection: PostgresConnection, location: PostgreSQLLocation, logger: Logger) {
        self.connection = connection
        self.location = location
        self.logger = logger
    }

    private static let ids = Locked(0)

    /// Connects and logs in, within the location's `connect_timeout`. `sslmode=allow` tries
    /// without TLS first and with TLS when the server refuses that.
    static func open(_ location: PostgreSQLLocation, logger: Logger) throws -> PostgreSQLConnection {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        if location.sslMode == .allow {
            do {
                return try open(location, tls: .disable, logger: quiet)
            } catch let error as PSQLError where error.sqlState?.hasPrefix("28") == true {
                return try open(location, tls: .require(try tlsContext(location)), logger: quiet)
            }
        }
        return try open(location, tls: try tls(location), logger: quiet)
    }

    private static func open(
        _ location: PostgreSQLLocation, tls: PostgresConnection.Configuration.TLS, logger: Logger
    ) throws -> PostgreSQLConnection {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password?.value,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        // The server notices a dead peer within about a minute (30 s idle, then 3 probes 10 s
        // apart), so a host that dies without closing its connections frees its locks soon; a
        // write waits for another's row locks as long as SQLite's busy timeout.
        configuration.options.additionalStartupParameters = [
            ("application_name", "tenantpilot"), ("tcp_keepalives_idle", "30"), ("tcp_keepalives_interval", "10"),
            ("tcp_keepalives_count", "3"), ("lock_timeout", "\(Int(Store.busyTimeout))s"),
        ]
        let id = ids.withLock { value in
            value += 1
            return value
        }
        let future = PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id, logger: logger)
        let connection: PostgresConnection
        do {
            connection = try wait(for: future, timeout: TimeInterval(location.connectTimeout) + 1)
        } catch let error as PostgreSQLTimeout {
            future.whenSuccess {
                let closing: EventLoopFuture<Void> = $0.close()
                _ = closing
            }
            throw error
        }
        return PostgreSQLConnection(connection: connection, location: location, logger: logger)
    }

    static func tls(_ location: PostgreSQLLocation) throws -> PostgresConnection.Configuration.TLS {
        switch location.sslMode {
        case .disable, .allow: .disable
        case .prefer: .prefer(try tlsContext(location))
        case .require, .verifyCA, .verifyFull: .require(try tlsContext(location))
        }
    }

    /// libpq's meaning of each mode: `prefer`, `allow` and `require` encrypt without checking
    /// the certificate; `verify-ca` checks it against the CA (`sslrootcert`); `verify-full`
    /// also checks that it names the host.
    static func tlsContext(_ location: PostgreSQLLocation) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        default: configuration.certificateVerification = .none
        }
        if let root = location.sslRootCertificate, root != "system" {
            configuration.trustRoots = .file(root)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    // MARK: - Queries

    /// Runs one statement with its parameters and returns every row.
    @discardableResult
    func query(_ sql: String, _ values: [any PostgreSQLValue] = []) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { try value.bind(into: &binds) }
        let future = connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        do {
            return try Self.wait(for: future, timeout: Self.queryTimeout)
        } catch let error as PostgreSQLTimeout {
            let closing: EventLoopFuture<Void> = connection.close()
            _ = closing
            throw error
        } catch {
            if PostgreSQLErrors.isRetryable(error) { retryableFailure = error }
            throw error
        }
    }

    /// The rows of a query, for reading by column name.
    func rows(_ sql: String, _ values: [any PostgreSQLValue] = []) throws -> [PostgresRandomAccessRow] {
        try query(sql, values).rows.map { $0.makeRandomAccess() }
    }

    /// The first row, or nil.
    func row(_ sql: String, _ values: [any PostgreSQLValue] = []) throws -> PostgresRandomAccessRow? {
        try query(sql, values).rows.first?.makeRandomAccess()
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [any PostgreSQLValue] = []) throws -> Int {
        try query(sql, values).metadata.rows ?? 0
    }

    func close() {
        let closing: EventLoopFuture<Void> = connection.close()
        _ = try? Self.wait(for: closing, timeout: 5)
    }

    /// A store that was never closed still closes its connections (postgres-nio requires it).
    deinit {
        if !connection.isClosed {
            let closing: EventLoopFuture<Void> = connection.close()
            if MultiThreadedEventLoopGroup.currentEventLoop == nil { _ = try? Self.wait(for: closing, timeout: 5) }
        }
    }

    /// Waits for `future` on this (non-event-loop) thread for at most `timeout` seconds.
    static func wait<T: Sendable>(for future: EventLoopFuture<T>, timeout: TimeInterval) throws -> T {
        let outcome = Locked<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            throw PostgreSQLTimeout(seconds: Int(timeout))
        }
        guard let result = outcome.current else { throw PostgreSQLTimeout(seconds: Int(timeout)) }
        return try result.get()
    }
}

/// The server did not answer in time.
struct PostgreSQLTimeout: Error, CustomStringConvertible {
    let seconds: Int
    var description: String { "the server did not answer within \(seconds) s" }
}

extension PSQLError {
    /// The server's SQLSTATE (`40001`, `23505`, …), when the server sent the error.
    var sqlState: String? { serverInfo?[.sqlState] }
}

/// How failures of the PostgreSQL store read: one line, the server's own message where there is
/// one, never the password or a query's parameters.
enum PostgreSQLErrors {
    /// Serialisation failures and deadlocks: the transaction may be run again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.sqlState else { return false }
        return state == "40001" || state == "40P01"
    }

    static func describe(_ error: any Error, location: PostgreSQLLocation? = nil) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                var text = message
                if let detail = info[.detail], !detail.isEmpty { text += " (\(detail))" }
                if let state = info[.sqlState] {
                    text += " [SQLSTATE \(state)]"
                    if state == "28P01", let location {
                        text +=
                            location.password.map { "; the password came from \($0.source)" }
                            ?? "; no password was given (PGPASSWORD, ~/.pgpass or --db-password-file)"
                    }
                }
                return text
            }
            switch error.code {
            case .connectionError:
                return "cannot connect" + (error.underlying.map { ": \(describeUnderlying($0))" } ?? "")
            case .serverClosedConnection, .uncleanShutdown:
                return "the server closed the connection"
                    + (error.underlying.map { " (\(describeUnderlying($0)))" } ?? "")
            case .clientClosedConnection:
                return "the connection was closed"
            case .sslUnsupported:
                return "the server does not accept TLS, which the sslmode asks for"
            case .failedToAddSSLHandler:
                return "cannot set up TLS" + (error.underlying.map { ": \(describeUnderlying($0))" } ?? "")
            case .authMechanismRequiresPassword:
                return
                    "the server asks for a password and none was given (PGPASSWORD, ~/.pgpass or --db-password-file)"
            case .unsupportedAuthMechanism:
                return "the server asks for an authentication method tenantpilot does not support"
            case .saslError:
                return "the password was refused during SCRAM authentication"
            default:
                return "PostgreSQL error \(error.code)"
                    + (error.underlying.map { ": \(describeUnderlying($0))" } ?? "")
            }
        }
        if let error = error as? NIOSSLError { return "TLS: \(error)" }
        if let error = error as? PostgreSQLTimeout { return error.description }
        if let error = error as? BoringSSLError { return "TLS: \(error)" }
        return describeUnderlying(error)
    }

    private static func describeUnderlying(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return "\(first.target): \(first.error)" }
            if error.dnsAAAAError != nil || error.dnsAError != nil { return "cannot resolve \(error.host)" }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? ChannelError, case .connectTimeout(let amount) = error {
            return "no answer within \(amount.nanoseconds / 1_000_000_000) s"
        }
        if let error = error as? IOError { return error.description }
        return "\(error)"
    }
}
