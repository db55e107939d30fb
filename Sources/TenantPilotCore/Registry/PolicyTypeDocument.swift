/// A policy type as `policy-types list --json` prints it.
public struct PolicyTypeDocument: Encodable, Sendable {
    public let key: String
    public let label: String
    public let graphVersion: String
    public let collectionPath: String
    /// The typed collections the type is read through (`collectionPath` lists them all).
    public let collections: [String]
    public let fetchById: Bool
    public let subresources: [String]
    public let volatileFields: [String]
    /// The Graph application permissions reading and writing the type need.
    public let permissions: GraphPermissions?

    public init(_ type: PolicyType) {
        key = type.key
        label = type.label
        graphVersion = type.graphVersion
        collectionPath = type.collectionPath
        collections = type.collections.map(\.path)
        fetchById = type.fetchById
        let subresources = type.subresources + type.collections.flatMap(\.subresources)
        var names: [String] = []
        for name in subresources.flatMap({ Self.names($0, prefix: "") }) where !names.contains(name) {
            names.append(name)
        }
        self.subresources = names
        volatileFields = type.volatileFields
        permissions = type.permissions
    }

    private static func names(_ subresource: Subresource, prefix: String) -> [String] {
        let name = prefix + subresource.property
        return [name] + subresource.children.flatMap { names($0, prefix: name + ".") }
    }
}
