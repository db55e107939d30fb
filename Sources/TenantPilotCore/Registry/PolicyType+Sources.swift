import Foundation

/// A collection that lists policies of a type, with what capturing one of them takes: the
/// type's own collection, or one of its typed collections. The Graph client lists every source
/// of a type and captures each policy through the source that listed it; `restore` writes a
/// policy to the source its `@odata.type` names (`PolicyType.source(for:)`).
public struct PolicySource: Sendable, Hashable {
    /// Collection path below the version.
    public let path: String
    /// The `@odata.type` of its policies; nil for the type's own (base) collection.
    public let odataType: String?
    public let fetchById: Bool
    public let subresources: [Subresource]
    public let listTop: Int?

    /// The sub-resources its listing may expand.
    public var listExpansions: [Subresource] { subresources.filter(\.listExpand) }
}

extension PolicyType {
    /// The collections to list, typed ones first; the base collection comes last so that a
    /// policy it lists that no typed collection does (a kind the registry does not know yet) is
    /// still captured.
    public var sources: [PolicySource] {
        let base = PolicySource(
            path: collectionPath, odataType: nil, fetchById: fetchById, subresources: subresources, listTop: listTop)
        let typed = collections.map {
            PolicySource(
                path: $0.path, odataType: $0.odataType, fetchById: $0.fetchById, subresources: $0.subresources,
                listTop: $0.listTop)
        }
        return typed + [base]
    }

    /// The typed collection whose `@odata.type` a payload has, else the base collection.
    public func source(for payload: JSONValue) -> PolicySource {
        let all = sources
        if let odataType = payload["@odata.type"]?.stringValue,
            let typed = all.first(where: { $0.odataType?.lowercased() == odataType.lowercased() })
        {
            return typed
        }
        return all[all.count - 1]
    }
}
