import Foundation

/// A validated request to register a tenant. Built before the store is opened, so bad input
/// never writes anything.
public struct NewTenant: Sendable {
    public let name: String
    public let tenantGuid: String
    public let clientId: String
    public let secretEnv: String?
    public let secretFile: String?
    public let graphURL: String
    public let authorityURL: String

    public static let defaultGraphURL = "https://graph.microsoft.com"
    public static let defaultAuthorityURL = "https://login.microsoftonline.com"

    public init(
        name: String, tenantId: String, clientId: String, secretEnv: String?, secretFile: String?,
        graphURL: String?, authorityURL: String?, workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(TenantPilotError) {
        self.name = try InputValidation.name(name, what: "tenant")
        self.tenantGuid = try InputValidation.guid(tenantId, option: "--tenant-id")
        self.clientId = try InputValidation.clientId(clientId)
        switch (secretEnv, secretFile) {
        case (let variable?, nil):
            self.secretEnv = try InputValidation.environmentVariableName(variable)
            self.secretFile = nil
        case (nil, let path?):
            guard !path.isEmpty else { throw .invalid("--client-secret-file must not be empty") }
            self.secretEnv = nil
            self.secretFile =
                path.hasPrefix("/")
                ? path : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).standardized.path
        case (nil, nil):
            throw .invalid(
                "give where the client secret is read from: --client-secret-env VAR or --client-secret-file PATH")
        case (.some, .some):
            throw .invalid("give either --client-secret-env or --client-secret-file, not both")
        }
        self.graphURL = try InputValidation.baseURL(graphURL ?? Self.defaultGraphURL, option: "--graph-url")
        self.authorityURL = try InputValidation.baseURL(
            authorityURL ?? Self.defaultAuthorityURL, option: "--authority-url")
    }
}

/// Registers and finds tenants.
public struct TenantService: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Stores a tenant and its `tenant.created` audit entry in one transaction.
    public func add(_ request: NewTenant, actor: String, at instant: Date) async throws(TenantPilotError) -> Tenant {
        try await store.write { tx in
            if try tx.tenants.named(request.name) != nil {
                throw TenantPilotError.invalid(
                    "a tenant named \"\(request.name)\" already exists; see `tenantpilot tenants list`")
            }
            let tenant = try tx.tenants.insert(
                Tenant(
                    name: request.name, tenantGuid: request.tenantGuid, clientId: request.clientId,
                    secretEnv: request.secretEnv,
                    secretFile: request.secretFile, graphURL: request.graphURL, authorityURL: request.authorityURL,
                    createdAt: Instant(instant)))
            try tx.audit.record(
                at: instant, actor: actor, tenantId: tenant.id, action: .tenantCreated, resource: .tenant,
                resourceId: tenant.id.map(String.init),
                metadata: [
                    "name": .string(tenant.name), "tenant_id": .string(tenant.tenantGuid),
                    "client_id": .string(tenant.clientId), "secret_source": .string(tenant.secretSourceDescription),
                ])
            return tenant
        }
    }

    /// Every tenant, by name.
    public func list() async throws(TenantPilotError) -> [Tenant] {
        try await store.read { tx in try tx.tenants.all() }
    }

    /// The tenant named `name`, or a not-found error that says where to look.
    public func find(named name: String) async throws(TenantPilotError) -> Tenant {
        try await store.read { tx in try tx.tenants.require(named: name) }
    }
}
