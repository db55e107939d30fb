/// A registered Microsoft 365 tenant (a row of `tenants`). Holds where its client secret is read
/// from at run time (an environment variable's name or a file's path), never the secret itself.
public struct Tenant: Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var tenantGuid: String
    public var clientId: String
    public var secretEnv: String?
    public var secretFile: String?
    public var graphURL: String
    public var authorityURL: String
    public var createdAt: Instant

    public init(
        id: Int64? = nil, name: String, tenantGuid: String, clientId: String, secretEnv: String?, secretFile: String?,
        graphURL: String, authorityURL: String, createdAt: Instant
    ) {
        self.id = id
        self.name = name
        self.tenantGuid = tenantGuid
        self.clientId = clientId
        self.secretEnv = secretEnv
        self.secretFile = secretFile
        self.graphURL = graphURL
        self.authorityURL = authorityURL
        self.createdAt = createdAt
    }

    /// The tenant's row id (present once stored).
    public var rowID: Int64 { id ?? 0 }

    /// Human description of where the secret is read from, e.g. `env:INTUNE_SECRET`.
    public var secretSourceDescription: String {
        if let secretEnv { return "env:\(secretEnv)" }
        return "file:\(secretFile ?? "")"
    }
}
