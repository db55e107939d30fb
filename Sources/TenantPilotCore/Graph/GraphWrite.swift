import Foundation

/// One write to Microsoft Graph (`restore --apply`): a method, a path below a version, and a
/// JSON body. Built from the registry's restore recipes; sent by a `GraphWriting` client.
public struct GraphWrite: Sendable, Hashable {
    /// `POST`, `PATCH`, `PUT` or `DELETE`.
    public var method: String
    /// `v1.0` or `beta`.
    public var version: String
    /// Path below the version, percent-encoded (`deviceManagement/deviceConfigurations/{id}/assign`).
    public var path: String
    public var body: JSONValue?
    /// What the write does, for error messages (`create Device configuration "Baseline"`).
    public var what: String
    /// Whether sending it twice does what sending it once does (PATCH, PUT, DELETE, `assign`,
    /// which replaces). A write that is not (a POST that creates) is retried only when Graph
    /// answered that it did not do it (429, 503), never after a timeout or a dropped connection,
    /// so a retry never creates a policy twice; the next `--apply` finds what was made.
    public var idempotent: Bool
    /// Sent once instead when Graph answers 405 to `method` (PUT where only PATCH is allowed).
    public var fallbackMethod: String?
    /// The application permission a 403 means is missing, named in the error.
    public var permission: String?
    /// Which of Graph's request limits the write counts against (its type's).
    public var limit: RequestLimit

    public init(
        method: String, version: String, path: String, body: JSONValue? = nil, what: String, idempotent: Bool,
        fallbackMethod: String? = nil, permission: String? = nil, limit: RequestLimit = .intune
    ) {
        self.method = method
        self.version = version
        self.path = path
        self.body = body
        self.what = what
        self.idempotent = idempotent
        self.fallbackMethod = fallbackMethod
        self.permission = permission
        self.limit = limit
    }
}

/// What `restore` needs from Graph beyond a backup's reads: writes, and a few reads by path
/// (groups by id and by name). `URLSessionGraphClient` is the real one; tests may double it.
public protocol GraphWriting: GraphClient {
    /// Sends one write through the client's request path (token, the tenant's pacer, which
    /// counts it as one of the writes per window, the retry policy) and returns the response body
    /// (`null` for 204 No Content).
    func send(_ write: GraphWrite) async throws(TenantPilotError) -> JSONValue

    /// GETs below `version` (paths percent-encoded, with their query), batched where that saves
    /// requests; results in the order of `paths`.
    func read(_ paths: [String], version: String) async -> [Result<JSONValue, TenantPilotError>]
}
