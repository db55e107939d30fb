/// `tenants import --json`: the tenants registered (or, with `--dry-run`, that would be), each
/// with the line of the file it came from.
public struct TenantImportDocument: Encodable, Sendable {
    public let dryRun: Bool
    public let file: String
    public let tenants: [Row]
    public let warnings: [String]

    public struct Row: Encodable, Sendable {
        public let line: Int
        /// Nil in a dry run.
        @Nullable public var id: Int64?
        public let name: String
        public let tenantId: String
        public let clientId: String
        public let secretSource: String
    }

    public init(_ batch: TenantImport, tenants: [Tenant], dryRun: Bool) {
        self.dryRun = dryRun
        file = batch.file
        self.tenants = zip(batch.rows, tenants).map { row, tenant in
            Row(
                line: row.line, id: dryRun ? nil : tenant.id, name: tenant.name, tenantId: tenant.tenantGuid,
                clientId: tenant.clientId, secretSource: tenant.secretSourceDescription)
        }
        warnings = batch.warnings
    }
}
