/// A policy type as `policy-types list --json` prints it.
public struct PolicyTypeDocument: Encodable, Sendable {
    public let key: String
    public let label: String
    public let graph_version: String
    public let collection_path: String
    public let fetch_by_id: Bool
    public let subresources: [String]
    public let volatile_fields: [String]

    public init(_ type: PolicyType) {
        key = type.key
        label = type.label
        graph_version = type.graphVersion
        collection_path = type.collectionPath
        fetch_by_id = type.fetchById
        subresources = type.subresources.flatMap { Self.names($0, prefix: "") }
        volatile_fields = type.volatileFields
    }

    private static func names(_ subresource: Subresource, prefix: String) -> [String] {
        let name = prefix + subresource.property
        return [name] + subresource.children.flatMap { names($0, prefix: name + ".") }
    }
}
