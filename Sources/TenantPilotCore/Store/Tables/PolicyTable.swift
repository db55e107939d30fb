/// `policies`: what the last sync of each tenant and type listed (docs/architecture.md).
public protocol PolicyTable {
    /// The policies known for a tenant and type, by Graph id.
    func known(tenantId: Int64, type: String) throws -> [String: KnownPolicy]
    /// Records a listed policy: inserted, or updated and no longer gone.
    func recordSeen(
        tenantId: Int64, type: String, graphId: String, displayName: String, summarySha256: String, at instant: Instant
    ) throws
    /// Records that a known policy was not listed any more.
    func markGone(tenantId: Int64, type: String, graphId: String, at instant: Instant) throws
    /// Forgets every policy of a tenant (`tenants remove --purge`); returns how many.
    func deleteAll(ofTenant tenantId: Int64) throws -> Int
}

/// What the store remembers of a policy between two syncs.
public struct KnownPolicy: Sendable, Equatable {
    /// SHA-256 of the listing without volatile fields.
    public var summarySha256: String?
    public var gone: Bool

    public init(summarySha256: String?, gone: Bool) {
        self.summarySha256 = summarySha256
        self.gone = gone
    }
}
