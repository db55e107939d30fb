import Foundation

extension TenantService {
    /// Registers every row of an import in one transaction, each with its `tenant.created`
    /// (metadata `imported_from`, `line`): all of them or, when one is refused (its name or its
    /// tenant id and client id already registered), none, the refusal naming its line. With
    /// `dryRun` it only checks the rows against the store, writing nothing; a store that does not
    /// exist yet is then taken as empty.
    public func importTenants(_ batch: TenantImport, dryRun: Bool, actor: String, at instant: Date)
        async throws(TenantPilotError) -> [Tenant]
    {
        let body: @Sendable (any StoreTransaction) throws -> [Tenant] = { tx in
            try batch.rows.map { row in
                do {
                    if dryRun {
                        try Self.checkNameFree(tx, row.request.name, except: nil)
                        try Self.checkApplicationFree(
                            tx, tenantGuid: row.request.tenantGuid, clientId: row.request.clientId, except: nil)
                        return row.request.tenant(at: instant)
                    }
                    return try Self.insert(
                        tx, row.request, actor: actor, at: instant,
                        metadata: ["imported_from": .string(batch.file), "line": .int(Int64(row.line))])
                } catch let error as TenantPilotError {
                    throw TenantPilotError(
                        error.kind, code: error.code, "\(batch.file) line \(row.line): \(error.message)")
                }
            }
        }
        return dryRun
            ? try await store.read("check the tenants to import", body)
            : try await store.write("import tenants from \(batch.file)", body)
    }
}
