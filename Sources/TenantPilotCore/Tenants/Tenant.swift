import Foundation
import GRDB

/// A registered Microsoft 365 tenant. Holds where its credential is read from at run time (an
/// environment variable's name or a file's path for a client secret; the certificate's and the
/// key's files for a certificate credential), never the secret or the key itself.
public struct Tenant: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "tenants"

    public var id: Int64?
    public var name: String
    public var tenantGuid: String
    public var clientId: String
    public var secretEnv: String?
    public var secretFile: String?
    public var graphURL: String
    public var authorityURL: String
    public var createdAt: String
    /// PEM certificate of a certificate credential (SPEC §14).
    public var certificateFile: String? = nil
    /// PEM private key of a certificate credential; nil when the certificate file holds it.
    public var privateKeyFile: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, name
        case tenantGuid = "tenant_guid"
        case clientId = "client_id"
        case secretEnv = "secret_env"
        case secretFile = "secret_file"
        case graphURL = "graph_url"
        case authorityURL = "authority_url"
        case createdAt = "created_at"
        case certificateFile = "certificate_file"
        case privateKeyFile = "private_key_file"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

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

/// A tenant as `tenants list --json` prints it. Never holds a secret: only where it is read from.
public struct TenantDocument: Encodable, Sendable {
    public let id: Int64
    public let name: String
    public let tenant_id: String
    public let client_id: String
    public let client_secret_env: String?
    public let client_secret_file: String?
    public let certificate_file: String?
    public let private_key_file: String?
    public let graph_url: String
    public let authority_url: String
    public let created_at: String

    public init(_ tenant: Tenant) {
        id = tenant.rowID
        name = tenant.name
        tenant_id = tenant.tenantGuid
        client_id = tenant.clientId
        client_secret_env = tenant.secretEnv
        client_secret_file = tenant.secretFile
        certificate_file = tenant.certificateFile
        private_key_file = tenant.privateKeyFile
        graph_url = tenant.graphURL
        authority_url = tenant.authorityURL
        created_at = tenant.createdAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(tenant_id, forKey: .tenant_id)
        try container.encode(client_id, forKey: .client_id)
        try container.encode(client_secret_env, forKey: .client_secret_env)
        try container.encode(client_secret_file, forKey: .client_secret_file)
        try container.encode(certificate_file, forKey: .certificate_file)
        try container.encode(private_key_file, forKey: .private_key_file)
        try container.encode(graph_url, forKey: .graph_url)
        try container.encode(authority_url, forKey: .authority_url)
        try container.encode(created_at, forKey: .created_at)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, tenant_id, client_id, client_secret_env, client_secret_file, certificate_file, private_key_file,
            graph_url
        case authority_url, created_at
    }
}
