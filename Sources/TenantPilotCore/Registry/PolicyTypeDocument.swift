/// A policy type as `policy-types list --json` prints it.
public struct PolicyTypeDocument: Encodable, Sendable {
    public let key: String
    public let label: String
    public let graphVersion: String
    public let collectionPath: String
    public let fetchById: Bool
    public let subresources: [String]
    public let volatileFields: [String]

    public init(_ type: PolicyType) {
        key = type.key
        label = type.label
        graphVersion = type.graphVersion
        collectionPath = type.collectionPath
        fetchById = type.fetchById
        subresources = type.subresources.flatMap { Self.names($0, prefix: "") }
        volatileFields = type.volatileFields
    }

    private static func names(_ subresource: Subresource, prefix: String) -> [String] {
        let name = prefix + subresource.property
        return [name] + subresource.children.flatMap { names($0, prefix: name + ".") }
    }
}
