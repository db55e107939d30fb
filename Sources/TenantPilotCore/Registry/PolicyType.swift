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
    /// Collection path below the version (`deviceManagement/configurationPolicies`). With typed
    /// `collections`, the base collection that lists every policy of the type.
    public let collectionPath: String
    /// Whether the list response lacks properties that only a GET by id returns (script content).
    public let fetchById: Bool
    /// Sub-resources fetched per policy and placed under `property` in the payload.
    public let subresources: [Subresource]
    /// Top-level fields that change without the policy changing; ignored by `backups diff`.
    public let volatileFields: [String]
    /// How a policy of this type is written back (`restore --apply`); nil: not restorable.
    public let restore: RestoreRecipe?
    /// `$top` sent when listing the collection: the largest page Graph accepts for it. Nil sends
    /// none. A collection that ignores it still pages; one that refuses it (400) is read again
    /// without it.
    public let listTop: Int?
    /// Typed collections that hold the policies of this type with navigation properties the base
    /// collection lacks (app protection: `iosManagedAppProtections` has `assignments`,
    /// `managedAppPolicies` has not). Each policy is captured through the typed collection that
    /// lists it; one that only the base collection lists is captured through the base.
    public let collections: [TypedCollection]
    /// Which of Graph's request limits the type's requests count against (docs/operations.md, "Graph's request limits").
    public let requestLimit: RequestLimit
    /// The Graph application permissions that reading and writing the type need, for `doctor`
    /// and for 403 messages.
    public let permissions: GraphPermissions?

    public init(
        key: String, label: String, graphVersion: String, collectionPath: String,
        fetchById: Bool = false, subresources: [Subresource] = [], volatileFields: [String] = [],
        restore: RestoreRecipe? = nil, listTop: Int? = nil, collections: [TypedCollection] = [],
        requestLimit: RequestLimit = .intune,
        permissions: GraphPermissions? = nil
    ) {
        self.key = key
        self.label = label
        self.graphVersion = graphVersion
        self.collectionPath = collectionPath
        self.fetchById = fetchById
        self.subresources = subresources
        self.volatileFields = volatileFields
        self.restore = restore
        self.listTop = listTop
        self.collections = collections
        self.requestLimit = requestLimit
        self.permissions = permissions
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
        listTop = try container.decodeIfPresent(Int.self, forKey: .listTop)
        collections = try container.decodeIfPresent([TypedCollection].self, forKey: .collections) ?? []
        requestLimit = try container.decodeIfPresent(RequestLimit.self, forKey: .requestLimit) ?? .intune
        permissions = try container.decodeIfPresent(GraphPermissions.self, forKey: .permissions)
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
    /// Whether the collection's listing may `$expand` it and Graph then answers it whole. False
    /// where Graph answers such an expansion with empty arrays (group policy `definitionValues`,
    /// scope tag `assignments`): those are read per policy.
    public let listExpand: Bool
    /// Whether a GET of one policy by id may `$expand` it, saving its own request.
    public let itemExpand: Bool
    /// `$top` when the sub-resource is read on its own (its largest page); nil sends none.
    public let top: Int?

    public init(
        property: String, path: String, expand: String? = nil, children: [Subresource] = [], listExpand: Bool = false,
        itemExpand: Bool = false, top: Int? = nil
    ) {
        self.property = property
        self.path = path
        self.expand = expand
        self.children = children
        self.listExpand = listExpand
        self.itemExpand = itemExpand
        self.top = top
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        property = try container.decode(String.self, forKey: .property)
        path = try container.decodeIfPresent(String.self, forKey: .path) ?? property
        expand = try container.decodeIfPresent(String.self, forKey: .expand)
        children = try container.decodeIfPresent([Subresource].self, forKey: .children) ?? []
        listExpand = try container.decodeIfPresent(Bool.self, forKey: .listExpand) ?? false
        itemExpand = try container.decodeIfPresent(Bool.self, forKey: .itemExpand) ?? false
        top = try container.decodeIfPresent(Int.self, forKey: .top)
    }

    /// The `$expand` clause that expands this sub-resource on its owner
    /// (`scheduledActionsForRule($expand=scheduledActionConfigurations)`). Children are never
    /// expanded this way: they are read per element.
    public var expansionClause: String {
        guard let expand else { return property }
        return "\(property)($expand=\(expand))"
    }
}

/// A typed collection of a policy type (`deviceAppManagement/iosManagedAppProtections`).
public struct TypedCollection: Codable, Sendable, Hashable {
    /// Collection path below the version.
    public let path: String
    /// The `@odata.type` of the policies it holds (`#microsoft.graph.iosManagedAppProtection`).
    public let odataType: String
    /// Whether its listing lacks properties that only a GET by id returns.
    public let fetchById: Bool
    /// Its sub-resources, as for a policy type.
    public let subresources: [Subresource]
    /// `$top` of its listing; nil sends none.
    public let listTop: Int?

    public init(
        path: String, odataType: String, fetchById: Bool = false, subresources: [Subresource] = [], listTop: Int? = nil
    ) {
        self.path = path
        self.odataType = odataType
        self.fetchById = fetchById
        self.subresources = subresources
        self.listTop = listTop
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        odataType = try container.decode(String.self, forKey: .odataType)
        fetchById = try container.decodeIfPresent(Bool.self, forKey: .fetchById) ?? false
        subresources = try container.decodeIfPresent([Subresource].self, forKey: .subresources) ?? []
        listTop = try container.decodeIfPresent(Int.self, forKey: .listTop)
    }
}

/// Which of Graph's throttling limits a type's requests fall under (docs/operations.md, "Graph's request limits").
public enum RequestLimit: String, Codable, Sendable, Hashable, CaseIterable {
    /// Intune: 1,000 requests per 20 seconds per app and tenant, 100 of them writes.
    case intune
    /// Conditional access and identity protection: 1 request per second per tenant.
    case conditionalAccess
}

/// The Graph application permissions a type needs (`DeviceManagementConfiguration.Read.All`).
public struct GraphPermissions: Codable, Sendable, Hashable {
    /// What listing and capturing the type needs (a backup, a drift check, a restore's plan).
    public let read: String
    /// What creating and updating it needs (a restore's apply).
    public let write: String

    public init(read: String, write: String) {
        self.read = read
        self.write = write
    }
}
