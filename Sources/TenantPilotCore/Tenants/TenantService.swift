import Foundation

/// A validated request to register a tenant. Built before the store is opened, so bad input
/// never writes anything.
public struct NewTenant: Sendable {
    public let name: String
    public let tenantGuid: String
    public let clientId: String
    public let credential: TenantCredential
    public let graphURL: String
    public let authorityURL: String
    /// What is worth saying on stderr: a credential source that cannot be read now, a
    /// certificate close to its expiry, a key file others can read.
    public let warnings: [String]

    public static let defaultGraphURL = "https://graph.microsoft.com"
    public static let defaultAuthorityURL = "https://login.microsoftonline.com"

    public init(
        name: String, tenantId: String, clientId: String, secretEnv: String?, secretFile: String?,
        graphURL: String?, authorityURL: String?, certificateFile: String? = nil, privateKeyFile: String? = nil,
        workingDirectory: String = FileManager.default.currentDirectoryPath, now: Date = Date(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        names: TenantCredential.OptionNames = .flags, options: FieldNames = .flags
    ) throws(TenantPilotError) {
        self.name = try InputValidation.name(name, what: "tenant")
        self.tenantGuid = try InputValidation.guid(tenantId, option: options.tenantId)
        self.clientId = try InputValidation.clientId(clientId, option: options.clientId)
        let checked = try TenantCredential.check(
            secretEnv: secretEnv, secretFile: secretFile, certificateFile: certificateFile,
            privateKeyFile: privateKeyFile, workingDirectory: workingDirectory, environment: environment, now: now,
            names: names)
        self.credential = checked.credential
        self.warnings = checked.warnings
        self.graphURL = try InputValidation.baseURL(graphURL ?? Self.defaultGraphURL, option: options.graphURL)
        self.authorityURL = try InputValidation.baseURL(
            authorityURL ?? Self.defaultAuthorityURL, option: options.authorityURL)
    }

    public var secretEnv: String? { credential.secretEnv }
    public var secretFile: String? { credential.secretFile }
    /// A certificate credential instead of a secret (docs/operations.md §2), checked: both files read.
    public var certificate: ValidatedCertificate? { credential.certificate }

    /// How the other fields are spelled in messages (the flags, or `tenants import`'s columns).
    public struct FieldNames: Sendable {
        public var tenantId: String
        public var clientId: String
        public var graphURL: String
        public var authorityURL: String

        public init(tenantId: String, clientId: String, graphURL: String, authorityURL: String) {
            self.tenantId = tenantId
            self.clientId = clientId
            self.graphURL = graphURL
            self.authorityURL = authorityURL
        }

        public static let flags = FieldNames(
            tenantId: "--tenant-id", clientId: "--client-id", graphURL: "--graph-url", authorityURL: "--authority-url")
    }

    /// The row this request inserts (without an id).
    public func tenant(at instant: Date) -> Tenant {
        var tenant = Tenant(
            name: name, tenantGuid: tenantGuid, clientId: clientId, secretEnv: nil, secretFile: nil,
            graphURL: graphURL, authorityURL: authorityURL, createdAt: Instant(instant))
        credential.apply(to: &tenant)
        return tenant
    }
}

/// Registers and finds tenants.
public struct TenantService: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Stores a tenant and its `tenant.created` audit entry in one transaction. A name in use by a
    /// tenant that is not removed, or a (tenant id, client id) registered already, is bad input.
    public func add(_ request: NewTenant, actor: String, at instant: Date) async throws(TenantPilotError) -> Tenant {
        try await store.write { tx in try Self.insert(tx, request, actor: actor, at: instant) }
    }

    /// `add` inside the caller's transaction (`tenants import` inserts every row in one).
    static func insert(
        _ tx: any StoreTransaction, _ request: NewTenant, actor: String, at instant: Date,
        metadata extra: [String: JSONValue] = [:]
    ) throws -> Tenant {
        try tx.lockRegistrations()
        try checkNameFree(tx, request.name, except: nil)
        try checkApplicationFree(tx, tenantGuid: request.tenantGuid, clientId: request.clientId, except: nil)
        let tenant = try tx.tenants.insert(request.tenant(at: instant))
        try tx.audit.record(
            at: instant, actor: actor, tenantId: tenant.id, action: .tenantCreated, resource: .tenant,
            resourceId: tenant.id.map(String.init),
            metadata: [
                "name": .string(tenant.name), "tenant_id": .string(tenant.tenantGuid),
                "client_id": .string(tenant.clientId), "secret_source": .string(tenant.secretSourceDescription),
                "certificate_thumbprint": request.certificate.map { .string($0.summary.thumbprint) } ?? .null,
            ].merging(extra) { $1 })
        return tenant
    }

    /// Refuses a name that a tenant which is not removed has.
    static func checkNameFree(_ tx: any StoreTransaction, _ name: String, except id: Int64?) throws {
        if let existing = try tx.tenants.named(name), existing.id != id {
            throw TenantPilotError.invalid(
                "a tenant named \"\(name)\" already exists (id \(existing.rowID)); see `tenantpilot tenants list`")
        }
    }

    /// Refuses a (tenant id, client id) that a tenant which is not removed has: one app
    /// registration in one directory is one tenant, whatever its name.
    static func checkApplicationFree(
        _ tx: any StoreTransaction, tenantGuid: String, clientId: String, except id: Int64?
    )
        throws
    {
        if let existing = try tx.tenants.sameApplication(tenantGuid: tenantGuid, clientId: clientId)
            .first(where: { $0.id != id })
        {
            throw TenantPilotError.invalid(
                "tenant id \(tenantGuid) with client id \(clientId) is already registered as \"\(existing.name)\" "
                    + "(id \(existing.rowID)); see `tenantpilot tenants show \(existing.name)`")
        }
    }

    /// Every tenant, by name.
    public func list() async throws(TenantPilotError) -> [Tenant] {
        try await store.read { tx in try tx.tenants.all() }
    }

    /// Every tenant, the removed ones too, by name.
    public func list(includingRemoved: Bool) async throws(TenantPilotError) -> [Tenant] {
        try await store.read { tx in try tx.tenants.all(includingRemoved: includingRemoved) }
    }

    /// The tenant named `name` that is not removed, or a not-found error that says where to look.
    public func find(named raw: String) async throws(TenantPilotError) -> Tenant {
        let name = InputValidation.normalized(raw)
        return try await store.read { tx in try tx.tenants.require(named: name) }
    }

    /// The tenant named `name` for reading its history: the one that is not removed, else the
    /// most recently added removed one (whose kept backups can still be listed).
    public func findWithHistory(named raw: String) async throws(TenantPilotError) -> Tenant {
        let name = InputValidation.normalized(raw)
        return try await store.read { tx in try tx.tenants.requireWithHistory(named: name) }
    }
}
