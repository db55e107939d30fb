import TenantPilotCore

/// The payload type, named apart from FlyingFox's own `JSONValue` in files that import both.
typealias JSON = TenantPilotCore.JSONValue

/// One policy held by the simulator: what the collection lists, what only a GET by id adds,
/// and its sub-resources.
public struct SimulatedPolicy: Sendable, Hashable {
    /// The Graph id.
    public var id: String
    /// The properties the collection returns (also returned by GET by id).
    public var fields: [String: JSONValue]
    /// Properties only a GET by id returns (script content), as Graph does.
    public var detailFields: [String: JSONValue]
    /// Sub-resource elements, keyed by the sub-resource's path (`settings`, `assignments`).
    public var subresources: [String: [SimulatedElement]]
    /// The typed collection that holds it (app protection: `…/iosManagedAppProtections`); nil
    /// when only the type's own collection does.
    public var collectionPath: String?

    public init(
        id: String, fields: [String: JSONValue], detailFields: [String: JSONValue] = [:],
        subresources: [String: [SimulatedElement]] = [:], collectionPath: String? = nil
    ) {
        self.id = id
        self.fields = fields
        self.detailFields = detailFields
        self.subresources = subresources
        self.collectionPath = collectionPath
    }

    /// The policy as its collection lists it.
    var listed: JSONValue { .object(fields.merging(["id": .string(id)]) { _, id in id }) }

    /// The policy as GET by id returns it.
    var detailed: JSONValue {
        .object(fields.merging(detailFields) { _, detail in detail }.merging(["id": .string(id)]) { _, id in id })
    }
}

/// One element of a sub-resource collection (a setting, an assignment, a definition value).
public struct SimulatedElement: Sendable, Hashable {
    /// The element's own properties (including its `id`).
    public var fields: [String: JSONValue]
    /// Navigation properties returned only when `$expand`ed, by name (`definition`).
    public var expansions: [String: JSONValue]
    /// Nested sub-resources, keyed by path (`presentationValues`).
    public var children: [String: [SimulatedElement]]

    public init(
        fields: [String: JSONValue], expansions: [String: JSONValue] = [:], children: [String: [SimulatedElement]] = [:]
    ) {
        self.fields = fields
        self.expansions = expansions
        self.children = children
    }

    var id: String? { fields["id"]?.stringValue }

    /// The element as the collection returns it, with the requested expansions.
    func rendered(expanding names: Set<String>) -> JSONValue {
        var object = fields
        for (name, value) in expansions where names.contains(name) { object[name] = value }
        return .object(object)
    }
}
