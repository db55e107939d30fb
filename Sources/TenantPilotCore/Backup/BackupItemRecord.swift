/// One item of a stored backup set; its payload is read with `BackupSetStore.payload(sha256:)`.
public struct BackupItemRecord: Sendable, Hashable {
    /// Policy-type key (`type` in JSON).
    public var typeKey: String
    public var graphId: String
    public var displayName: String
    /// Lowercase hex SHA-256 of the payload's canonical JSON.
    public var sha256: String

    public init(typeKey: String, graphId: String, displayName: String, sha256: String) {
        self.typeKey = typeKey
        self.graphId = graphId
        self.displayName = displayName
        self.sha256 = sha256
    }
}
