/// A registered Microsoft 365 tenant (a row of `tenants`). Holds where its credential is read
/// from at run time (an environment variable's name or a file's path for a client secret; the
/// certificate's and the key's files for a certificate credential), never the secret or the
/// key itself.
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
    /// PEM certificate of a certificate credential (docs/operations.md §2).
    public var certificateFile: String?
    /// PEM private key of a certificate credential; nil when the certificate file holds it.
    public var privateKeyFile: String?
    /// When `tenants remove` removed the tenant: it is no longer backed up, and its name is free
    /// for a new tenant, but its row stays for its kept backups, run history and audit entries.
    public var removedAt: Instant?
    /// When `tenants remove --purge` deleted the tenant's backups, runs, policies and notifications.
    public var purgedAt: Instant?

    public init(
        id: Int64? = nil, name: String, tenantGuid: String, clientId: String, secretEnv: String?, secretFile: String?,
        graphURL: String, authorityURL: String, createdAt: Instant, certificateFile: String? = nil,
        privateKeyFile: String? = nil, removedAt: Instant? = nil, purgedAt: Instant? = nil
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
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.removedAt = removedAt
        self.purgedAt = purgedAt
    }

    public var isRemoved: Bool { removedAt != nil }

    /// The tenant's row id (present once stored).
    public var rowID: Int64 { id ?? 0 }

    /// Human description of where the credential is read from, e.g. `env:INTUNE_SECRET` or
    /// `cert:/etc/tenantpilot/contoso.pem`.
    public var secretSourceDescription: String {
        if let secretEnv { return "env:\(secretEnv)" }
        if let certificateFile {
            return CertificateCredential(certificateFile: certificateFile, privateKeyFile: privateKeyFile).description
        }
        return "file:\(secretFile ?? "")"
    }
}
