/// A directory collection that restore reads but never writes: the groups whose ids
/// assignments name, looked up by id in the source tenant and by display name in the target
/// (`"groups"` at the top of the registry file).
public struct DirectoryCollection: Codable, Sendable, Hashable {
    /// `v1.0` or `beta`.
    public let graphVersion: String
    /// Collection path below the version (`groups`).
    public let collectionPath: String

    public init(graphVersion: String, collectionPath: String) {
        self.graphVersion = graphVersion
        self.collectionPath = collectionPath
    }
}
