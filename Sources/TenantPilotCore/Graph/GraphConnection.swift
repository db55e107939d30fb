import Foundation

/// How to reach one tenant's Graph: who the app is, where its credential is read from, and the
/// base URLs (national clouds and the simulator differ from the defaults).
public struct GraphConnection: Sendable, Hashable {
    public static let defaultGraphURL = constantURL("https://graph.microsoft.com")
    public static let defaultAuthorityURL = constantURL("https://login.microsoftonline.com")

    /// The tenant's directory id (GUID).
    public var tenantGUID: String
    /// The app registration's client id.
    public var clientID: String
    /// The app's credential: a client secret's source, or a certificate and its key.
    public var credential: ClientCredential
    /// Graph base URL, without the version (`https://graph.microsoft.com`).
    public var graphURL: URL
    /// Authority base URL (`https://login.microsoftonline.com`).
    public var authorityURL: URL

    public init(
        tenantGUID: String, clientID: String, credential: ClientCredential,
        graphURL: URL = GraphConnection.defaultGraphURL, authorityURL: URL = GraphConnection.defaultAuthorityURL
    ) {
        self.tenantGUID = tenantGUID
        self.clientID = clientID
        self.credential = credential
        self.graphURL = graphURL
        self.authorityURL = authorityURL
    }

    /// A connection that signs in with a client secret.
    public init(
        tenantGUID: String, clientID: String, secret: SecretSource,
        graphURL: URL = GraphConnection.defaultGraphURL, authorityURL: URL = GraphConnection.defaultAuthorityURL
    ) {
        self.init(
            tenantGUID: tenantGUID, clientID: clientID, credential: .secret(secret), graphURL: graphURL,
            authorityURL: authorityURL)
    }

    /// The connection of a registered tenant. Its URLs were validated when it was added.
    public init(tenant: Tenant) throws(TenantPilotError) {
        let credential: ClientCredential
        if let variable = tenant.secretEnv {
            credential = .secret(.environment(variable))
        } else if let path = tenant.secretFile {
            credential = .secret(.file(path))
        } else if let certificate = tenant.certificateFile {
            credential = .certificate(
                CertificateCredential(certificateFile: certificate, privateKeyFile: tenant.privateKeyFile))
        } else {
            throw .failed("tenant \(tenant.name) has no credential source", code: .credentialsUnavailable)
        }
        guard let graph = URL(string: tenant.graphURL), let authority = URL(string: tenant.authorityURL) else {
            throw .failed("tenant \(tenant.name) has an invalid Graph or authority URL", code: .internalError)
        }
        self.init(
            tenantGUID: tenant.tenantGuid, clientID: tenant.clientId, credential: credential, graphURL: graph,
            authorityURL: authority)
    }

    private static func constantURL(_ text: String) -> URL {
        guard let url = URL(string: text) else { preconditionFailure("invalid constant URL \(text)") }
        return url
    }
}
