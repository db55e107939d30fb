import Foundation

/// Reads the run history, with the names of each run's tenant and schedule.
public struct RunHistory: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func find(_ id: Int64) async throws(TenantPilotError) -> RunDocument {
        try await store.read { tx in
            guard let run = try tx.runs.find(id: id) else {
                throw TenantPilotError.notFound("no run with id \(id); see `tenantpilot runs list`")
            }
            return try Self.documents(tx, [run])[0]
        }
    }

    /// Run history, newest first.
    public func list(
        scheduleId: Int64?, tenantId: Int64? = nil, status: BackupRun.Status?, since: Date? = nil, limit: Int
    ) async throws(TenantPilotError) -> [RunDocument] {
        try await store.read { tx in
            try Self.documents(
                tx,
                try tx.runs.list(
                    scheduleId: scheduleId, tenantId: tenantId, status: status, since: since.map(Instant.init),
                    limit: limit))
        }
    }

    /// The runs as documents, their tenants and schedules read once each.
    static func documents(_ tx: any StoreTransaction, _ runs: [BackupRun]) throws -> [RunDocument] {
        let scheduleNames = try tx.schedules.names(ids: Set(runs.compactMap(\.scheduleId)))
        let tenants = try tx.tenants.find(ids: Set(runs.map(\.tenantId)))
        let tenantNames = Dictionary(uniqueKeysWithValues: tenants.map { ($0.rowID, $0.name) })
        return runs.map {
            RunDocument(
                $0, tenantName: tenantNames[$0.tenantId] ?? "?",
                scheduleName: $0.scheduleId.map { scheduleNames[$0] ?? "?" })
        }
    }
}
