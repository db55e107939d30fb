import Foundation

/// One entry of the policy-type registry: where Graph keeps a kind of Intune policy and what a
/// full capture of one policy needs. The registry is the only place a Graph path is written.
public struct PolicyType: Codable, Sendable, Hashable {
    /// Stable key used in schedules (`settingsCatalogPolicy`).
    public let key: String
    /// Human label (`Settings catalog`).
    public let label: String
    /// `v1.0` or `beta`.
    public let graphVersion: String
    /// Collection path below the version (`deviceManagement/configurationPolicies`).
    public let collectionPath: String
    /// Whether the list response lacks properties that only a GET by id returns (script content).
    public let fetchById: Bool
    /// Sub-resources fetched per policy and placed under `property` in the payload.
    public let subresources: [Subresource]
    /// Top-level fields that change without the policy changing; ignored by `backups diff`.
    public let volatileFields: [String]
    /// How a policy of this type is written back (`restore --apply`); nil: not restorable.
    public let restore: RestoreRecipe?

    public init(
        key: String, label: String, graphVersion: String, collectionPath: String,
        fetchById: Bool = false, subresources: [Subresource] = [], volatileFields: [String] = [],
        restore: RestoreRecipe? = nil
    ) {
        self.key = key
        self.label = label
        self.graphVersion = graphVersion
        self.collectionPath = collectionPath
        self.fetchById = fetchById
        self.subresources = subresources
        self.volatileFields = volatileFields
        self.restore = restore
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        label = try container.decode(String.self, forKey: .label)
        graphVersion = try container.decode(String.self, forKey: .graphVersion)
        collectionPath = try container.decode(String.self, forKey: .collectionPath)
        fetchById = try container.decodeIfPresent(Bool.self, forKey: .fetchById) ?? false
        subresources = try container.decodeIfPresent([Subresource].self, forKey: .subresources) ?? []
        volatileFields = try container.decodeIfPresent([String].self, forKey: .volatileFields) ?? []
        restore = try container.decodeIfPresent(RestoreRecipe.self, forKey: .restore)
    }
}

/// A collection below one policy (`{collection}/{id}/{path}`), captured whole (every page) and
/// placed in the payload under `property`, as `$expand` would place it.
public struct Subresource: Codable, Sendable, Hashable {
    /// Property name in the payload (`settings`, `assignments`, `definitionValues`).
    public let property: String
    /// Path relative to the policy (`settings`, `assignments`).
    public let path: String
    /// Optional `$expand` for each element (`definition` for group policy definition values).
    public let expand: String?
    /// Sub-resources of each element (`presentationValues` of each definition value).
    public let children: [Subresource]

    public init(property: String, path: String, expand: String? = nil, children: [Subresource] = []) {
        self.property = property
        self.path = path
        self.expand = expand
        self.children = children
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        property = try container.decode(String.self, forKey: .property)
        path = try container.decodeIfPresent(String.self, forKey: .path) ?? property
        expand = try container.decodeIfPresent(String.self, forKey: .expand)
        children = try container.decodeIfPresent([Subresource].self, forKey: .children) ?? []
    }
}
