import Foundation
import GRDB

/// A registered Microsoft 365 tenant. Holds where its client secret is read from at run time
/// (an environment variable's name or a file's path), never the secret itself.
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

    enum CodingKeys: String, CodingKey {
        case id, name
        case tenantGuid = "tenant_guid"
        case clientId = "client_id"
        case secretEnv = "secret_env"
        case secretFile = "secret_file"
        case graphURL = "graph_url"
        case authorityURL = "authority_url"
        case createdAt = "created_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The tenant's row id (present once stored).
    public var rowID: Int64 { id ?? 0 }

    /// Human description of where the secret is read from, e.g. `env:INTUNE_SECRET`.
    public var secretSourceDescription: String {
        if let secretEnv { return "env:\(secretEnv)" }
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
        try container.encode(graph_url, forKey: .graph_url)
        try container.encode(authority_url, forKey: .authority_url)
        try container.encode(created_at, forKey: .created_at)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, tenant_id, client_id, client_secret_env, client_secret_file, graph_url, authority_url, created_at
    }
}
