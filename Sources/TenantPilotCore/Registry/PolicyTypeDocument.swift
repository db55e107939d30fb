/// A policy type as `policy-types list --json` prints it.
public struct PolicyTypeDocument: Encodable, Sendable {
    public let key: String
    public let label: String
    public let graph_version: String
    public let collection_path: String
    /// The typed collections the type is read through (`collection_path` lists them all).
    public let collections: [String]
    public let fetch_by_id: Bool
    public let subresources: [String]
    public let volatile_fields: [String]
    /// The Graph application permissions reading and writing the type need.
    public let permissions: GraphPermissions?

    public init(_ type: PolicyType) {
        key = type.key
        label = type.label
        graph_version = type.graphVersion
        collection_path = type.collectionPath
        collections = type.collections.map(\.path)
        fetch_by_id = type.fetchById
        let subresources = type.subresources + type.collections.flatMap(\.subresources)
        var names: [String] = []
        for name in subresources.flatMap({ Self.names($0, prefix: "") }) where !names.contains(name) {
            names.append(name)
        }
        self.subresources = names
        volatile_fields = type.volatileFields
        permissions = type.permissions
    }

    private static func names(_ subresource: Subresource, prefix: String) -> [String] {
        let name = prefix + subresource.property
        return [name] + subresource.children.flatMap { names($0, prefix: name + ".") }
    }
}
