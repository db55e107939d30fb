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
    /// A certificate credential instead of a secret (SPEC §14), checked: both files read.
    public let certificate: ValidatedCertificate?

    public static let defaultGraphURL = "https://graph.microsoft.com"
    public static let defaultAuthorityURL = "https://login.microsoftonline.com"

    public init(
        name: String, tenantId: String, clientId: String, secretEnv: String?, secretFile: String?,
        graphURL: String?, authorityURL: String?, certificateFile: String? = nil, privateKeyFile: String? = nil,
        workingDirectory: String = FileManager.default.currentDirectoryPath, now: Date = Date()
    ) throws(TenantPilotError) {
        self.name = try InputValidation.name(name, what: "tenant")
        self.tenantGuid = try InputValidation.guid(tenantId, option: "--tenant-id")
        self.clientId = try InputValidation.clientId(clientId)
        let given = [secretEnv != nil, secretFile != nil, certificateFile != nil].filter { $0 }.count
        if given > 1 {
            throw .invalid(
                "give one credential: --client-secret-env, --client-secret-file or --certificate-file, not several")
        }
        if privateKeyFile != nil, certificateFile == nil {
            throw .invalid("--private-key-file needs --certificate-file (the certificate the key belongs to)")
        }
        self.secretEnv = try secretEnv.map { value throws(TenantPilotError) in
            try InputValidation.environmentVariableName(value)
        }
        if let path = secretFile {
            _ = try InputValidation.secretPath(path, option: "--client-secret-file")
            let absolute =
                path.hasPrefix("/")
                ? path : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).standardized.path
            // A file that exists must be fit to hold a secret (its mode may still be fixed later).
            do {
                try SecretFile.check(absolute, requirePrivateMode: false)
            } catch  where !error.missing {
                throw .invalid(error.message)
            } catch {}
            self.secretFile = absolute
        } else {
            self.secretFile = nil
        }
        if let certificateFile {
            self.certificate = try InputValidation.certificateCredential(
                certificateFile: certificateFile, privateKeyFile: privateKeyFile, workingDirectory: workingDirectory,
                now: now)
        } else {
            self.certificate = nil
        }
        if given == 0 {
            throw .invalid(
                "give where the credential is read from: --client-secret-env VAR, --client-secret-file PATH, "
                    + "or --certificate-file PEM [--private-key-file PEM]")
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
                    createdAt: Instant(instant), certificateFile: request.certificate?.credential.certificateFile,
                    privateKeyFile: request.certificate?.credential.privateKeyFile))
            try tx.audit.record(
                at: instant, actor: actor, tenantId: tenant.id, action: .tenantCreated, resource: .tenant,
                resourceId: tenant.id.map(String.init),
                metadata: [
                    "name": .string(tenant.name), "tenant_id": .string(tenant.tenantGuid),
                    "client_id": .string(tenant.clientId), "secret_source": .string(tenant.secretSourceDescription),
                    "certificate_thumbprint": request.certificate.map { .string($0.summary.thumbprint) } ?? .null,
                ])
            return tenant
        }
    }

    /// Every tenant, by name.
    public func list() async throws(TenantPilotError) -> [Tenant] {
        try await store.read { tx in try tx.tenants.all() }
    }

    /// The tenant named `name`, or a not-found error that says where to look.
    public func find(named raw: String) async throws(TenantPilotError) -> Tenant {
        let name = InputValidation.normalized(raw)
        return try await store.read { tx in try tx.tenants.require(named: name) }
    }
}
