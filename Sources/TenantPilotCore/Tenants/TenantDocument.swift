/// A tenant as `tenants list --json` prints it. Never holds a secret: only where it is read from.
public struct TenantDocument: Encodable, Sendable {
    public let id: Int64
    public let name: String
    public let tenantId: String
    public let clientId: String
    @Nullable public var clientSecretEnv: String?
    @Nullable public var clientSecretFile: String?
    @Nullable public var certificateFile: String?
    @Nullable public var privateKeyFile: String?
    public let graphUrl: String
    public let authorityUrl: String
    public let createdAt: Instant
    /// Removed by `tenants remove` (its history stays until purged).
    public let removed: Bool
    @Nullable public var removedAt: Instant?
    @Nullable public var purgedAt: Instant?

    public init(_ tenant: Tenant) {
        id = tenant.rowID
        name = tenant.name
        tenantId = tenant.tenantGuid
        clientId = tenant.clientId
        clientSecretEnv = tenant.secretEnv
        clientSecretFile = tenant.secretFile
        certificateFile = tenant.certificateFile
        privateKeyFile = tenant.privateKeyFile
        graphUrl = tenant.graphURL
        authorityUrl = tenant.authorityURL
        createdAt = tenant.createdAt
        removed = tenant.isRemoved
        removedAt = tenant.removedAt
        purgedAt = tenant.purgedAt
    }
}
