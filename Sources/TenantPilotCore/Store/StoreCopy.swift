import Foundation
import Logging

/// `tenantpilot store copy --from SQLITE_PATH --to postgresql://…`: moves an installation from
/// its SQLite file to a PostgreSQL database — every row of every table, ids kept — so that
/// several hosts can share it from then on.
///
/// Both stores are migrated first (the same named migrations give them the same tables); the
/// target must hold no rows. The rows are then copied in one PostgreSQL transaction, read from
/// one SQLite snapshot, parents before children, and each table's id sequence set past its
/// largest id; the audit entry `store.copied` is written in that transaction. A copy that fails
/// leaves the target as empty as it was.
public struct StoreCopy: Sendable {
    public let source: String
    public let target: PostgreSQLLocation
    public let logger: Logger

    public init(source: String, target: PostgreSQLLocation, logger: Logger = .disabled) {
        self.source = source
        self.target = target
        self.logger = logger
    }

    /// How far the copy is: rows of `table` copied so far, of the rows of every table.
    public struct Progress: Sendable, Equatable {
        public var table: String
        public var rowsCopied: Int
        public var rowsTotal: Int
    }

    /// What was copied, table by table.
    public struct Report: Sendable, Equatable, Encodable {
        public var from: String
        public var to: String
        /// Rows per table, by table name.
        public var rows: [String: Int]
        public var totalRows: Int
    }

    public func copy(actor: String, at instant: Date, progress: (@Sendable (Progress) -> Void)? = nil)
        async throws(TenantPilotError) -> Report
    {
        guard FileManager.default.fileExists(atPath: source) else {
            throw .failed(
                "no store at \(source) (from --from); check the path of the SQLite store to copy",
                code: .storeNotFound)
        }
        let sourceStore = try await Store.open(.sqlite(path: source), mustExist: true, logger: logger)
        let targetStore: Store
        do {
            targetStore = try await Store.open(.postgreSQL(target), logger: logger)
        } catch {
            try? await sourceStore.close()
            throw error
        }
        let outcome = await copy(
            from: sourceStore, to: targetStore, audit: .init(actor: actor, at: instant, source: source),
            progress: progress)
        try? await sourceStore.close()
        try? await targetStore.close()
        return try outcome.get()
    }

    private func copy(
        from sourceStore: Store, to targetStore: Store, audit: PostgreSQLBackend.CopyAudit,
        progress: (@Sendable (Progress) -> Void)?
    ) async -> Result<Report, TenantPilotError> {
        guard let sqlite = sourceStore.backend as? SQLiteBackend,
            let postgreSQL = targetStore.backend as? PostgreSQLBackend
        else { return .failure(.failed("store copy needs a SQLite source and a PostgreSQL target")) }
        switch await postgreSQL.copy(from: sqlite, audit: audit, progress: progress) {
        case .success(let rows):
            return .success(
                Report(from: source, to: target.displayURL, rows: rows, totalRows: rows.values.reduce(0, +)))
        case .failure(let error as TenantPilotError):
            return .failure(error)
        case .failure(let error):
            return .failure(
                .failed(
                    "cannot copy \(source) to \(target.displayURL): \(postgreSQL.describe(error))",
                    code: .storeUnavailable))
        }
    }
}

extension AuditAction {
    /// A SQLite store copied into an empty PostgreSQL one (`store copy`).
    public static let storeCopied = AuditAction(rawValue: "store.copied")
}

extension AuditResource {
    public static let store = AuditResource(rawValue: "store")
}
