import Foundation

/// Validated changes to a registered tenant (`tenants update`): its name, client id, credential
/// source, Graph and authority URLs, each checked as `tenants add` checks it. Nil leaves a field
/// as it is; a new credential replaces the old one whole. The tenant id (the directory) is not
/// changed: that is another tenant.
public struct TenantChanges: Sendable {
    public var name: String?
    public var clientId: String?
    public var credential: TenantCredential?
    public var graphURL: String?
    public var authorityURL: String?
    /// A new credential source that cannot be read now, and certificate warnings.
    public var warnings: [String]

    public init(
        name: String?, clientId: String?, secretEnv: String?, secretFile: String?, certificateFile: String?,
        privateKeyFile: String?, graphURL: String?, authorityURL: String?,
        workingDirectory: String = FileManager.default.currentDirectoryPath, now: Date = Date(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TenantPilotError) {
        self.name = try name.map { (value: String) throws(TenantPilotError) in
            try InputValidation.name(value, what: "tenant")
        }
        self.clientId = try clientId.map { (value: String) throws(TenantPilotError) in
            try InputValidation.clientId(value)
        }
        if secretEnv != nil || secretFile != nil || certificateFile != nil || privateKeyFile != nil {
            let checked = try TenantCredential.check(
                secretEnv: secretEnv, secretFile: secretFile, certificateFile: certificateFile,
                privateKeyFile: privateKeyFile, workingDirectory: workingDirectory, environment: environment, now: now)
            credential = checked.credential
            warnings = checked.warnings
        } else {
            credential = nil
            warnings = []
        }
        self.graphURL = try graphURL.map { (value: String) throws(TenantPilotError) in
            try InputValidation.baseURL(value, option: "--graph-url")
        }
        self.authorityURL = try authorityURL.map { (value: String) throws(TenantPilotError) in
            try InputValidation.baseURL(value, option: "--authority-url")
        }
        if self.name == nil && self.clientId == nil && credential == nil && self.graphURL == nil
            && self.authorityURL == nil
        {
            throw .invalid(
                "nothing to update: give at least one of --name, --client-id, --client-secret-env, "
                    + "--client-secret-file, --certificate-file, --graph-url, --authority-url")
        }
    }
}
