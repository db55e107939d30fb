import Foundation

/// How a policy type is written back into a tenant (`restore --apply`): the registry entry's
/// `restore` object. Data, not code: which path and method create and update a policy, which
/// properties Graph refuses to be sent, how each sub-resource is written, how assignments are
/// set. A type that cannot be restored says why (`restorable: false`, `reason`). The collection a
/// policy is written through is the registry's (a typed collection for its `@odata.type`, else
/// the type's own), and the permission a write needs is the type's `permissions.write`.
public struct RestoreRecipe: Codable, Sendable, Hashable {
    /// False for a type that is never written; `reason` says why (the plan shows it as `skip`).
    public let restorable: Bool
    public let reason: String?
    /// Types are applied in ascending order (filters and scope tags before the policies that
    /// name them); equal orders keep the registry's order.
    public let order: Int
    /// How a policy is created. Its `path` may name payload properties in braces
    /// (`deviceManagement/templates/{templateId}/createInstance`).
    public let create: Endpoint
    /// How a policy is updated; the path defaults to `{collection}/{id}`.
    public let update: Endpoint
    /// Top-level properties Graph computes itself: never sent, never compared.
    public let readOnly: [String]
    /// Properties that may be set when a policy is created but never changed afterwards.
    public let createOnly: [String]
    /// Properties whose value in the target is kept on update (conditional access `state`):
    /// not compared, not sent on update.
    public let keepTargetOnUpdate: [String]
    /// Properties set on every create, whatever the backup says (conditional access is created
    /// `disabled`).
    public let createWith: [String: JSONValue]
    /// How each captured sub-resource is written, by payload property.
    public let subresources: [String: SubresourceWrite]
    /// How assignments are set; nil when the type has none.
    public let assignments: AssignmentWrite?
    /// Policies of this type that are never written (built-in ones).
    public let skip: [SkipRule]
    /// Values Graph never returns (encrypted OMA settings, keys): named in the plan as warnings.
    public let secrets: [SecretRule]
    /// Properties holding the id of another restored policy (a compliance action's notification
    /// template): mapped to the id that policy has in the target.
    public let references: [Reference]
    /// A warning the plan shows for every policy of this type restored into another tenant.
    public let crossTenantWarning: String?

    /// A path and an HTTP method.
    public struct Endpoint: Codable, Sendable, Hashable {
        public let method: String
        public let path: String?
        /// Tried once when Graph answers 405 to `method` (settings catalog: PUT, else PATCH).
        public let fallbackMethod: String?

        public init(method: String, path: String? = nil, fallbackMethod: String? = nil) {
            self.method = method
            self.path = path
            self.fallbackMethod = fallbackMethod
        }
    }

    /// How one sub-resource is written when a policy is created and when it is updated.
    public struct SubresourceWrite: Codable, Sendable, Hashable {
        public let create: Mode?
        public let update: Mode?
        /// Fields removed from each element (and each nested element) before it is sent.
        public let strip: [String]
        /// Set when the sub-resource is never written; the plan warns with it.
        public let never: String?

        public init(create: Mode? = nil, update: Mode? = nil, strip: [String] = [], never: String? = nil) {
            self.create = create
            self.update = update
            self.strip = strip
            self.never = never
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            create = try container.decodeIfPresent(Mode.self, forKey: .create)
            update = try container.decodeIfPresent(Mode.self, forKey: .update)
            strip = try container.decodeIfPresent([String].self, forKey: .strip) ?? []
            never = try container.decodeIfPresent(String.self, forKey: .never)
        }
    }

    /// One way of writing a sub-resource.
    public struct Mode: Codable, Sendable, Hashable {
        /// In the policy's own body, under this property (`settings`, `settingsDelta`).
        public let inline: String?
        /// POST `{policy}/{action}` with `{bodyKey: [elements]}` (`updateSettings`).
        public let action: String?
        public let bodyKey: String?
        /// POST each element to `{policy}/{each}`; on update, PATCH the element with the same
        /// `key` and POST the others.
        public let each: String?
        public let key: String?
        /// Group policy definition values: POST `{policy}/{action}` with `added`, `updated` and
        /// `deletedIds`, each value bound to its definition and presentations by id.
        public let definitionValues: String?
        /// The `@odata.bind` base of definitions (`deviceManagement/groupPolicyDefinitions`).
        public let definitionsPath: String?

        public init(
            inline: String? = nil, action: String? = nil, bodyKey: String? = nil, each: String? = nil,
            key: String? = nil,
            definitionValues: String? = nil, definitionsPath: String? = nil
        ) {
            self.inline = inline
            self.action = action
            self.bodyKey = bodyKey
            self.each = each
            self.key = key
            self.definitionValues = definitionValues
            self.definitionsPath = definitionsPath
        }
    }

    /// How assignments are set: an action that replaces them all (`assign` with
    /// `{bodyKey: [assignments]}`), or one POST per assignment to `each` (and a DELETE per
    /// assignment that goes).
    public struct AssignmentWrite: Codable, Sendable, Hashable {
        public let action: String?
        public let bodyKey: String?
        public let each: String?
        /// Fields removed from each assignment before it is sent.
        public let strip: [String]

        public init(action: String? = nil, bodyKey: String? = nil, each: String? = nil, strip: [String] = ["id"]) {
            self.action = action
            self.bodyKey = bodyKey
            self.each = each
            self.strip = strip
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            action = try container.decodeIfPresent(String.self, forKey: .action)
            bodyKey = try container.decodeIfPresent(String.self, forKey: .bodyKey)
            each = try container.decodeIfPresent(String.self, forKey: .each)
            strip = try container.decodeIfPresent([String].self, forKey: .strip) ?? ["id"]
        }
    }

    /// A policy whose top-level `property` equals `equals` is skipped with `reason`.
    public struct SkipRule: Codable, Sendable, Hashable {
        public let property: String
        public let equals: JSONValue
        public let reason: String
    }

    /// A value Graph never returns: `property` (top level) present, or elements of `array`
    /// whose `flag` is true. The warning says `label`.
    public struct SecretRule: Codable, Sendable, Hashable {
        public let property: String?
        public let array: String?
        public let flag: String?
        public let label: String
    }

    /// The id of a policy of `type` at `path` (dots between properties, `[]` for each element
    /// of an array: `scheduledActionsForRule[].scheduledActionConfigurations[].notificationTemplateId`).
    /// Ids in `keep` (the empty GUID meaning "none") are left alone.
    public struct Reference: Codable, Sendable, Hashable {
        public let path: String
        public let type: String
        public let keep: [String]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decode(String.self, forKey: .path)
            type = try container.decode(String.self, forKey: .type)
            keep = try container.decodeIfPresent([String].self, forKey: .keep) ?? []
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        restorable = try container.decodeIfPresent(Bool.self, forKey: .restorable) ?? true
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        order = try container.decodeIfPresent(Int.self, forKey: .order) ?? 50
        create = try container.decodeIfPresent(Endpoint.self, forKey: .create) ?? Endpoint(method: "POST")
        update = try container.decodeIfPresent(Endpoint.self, forKey: .update) ?? Endpoint(method: "PATCH")
        readOnly = try container.decodeIfPresent([String].self, forKey: .readOnly) ?? []
        createOnly = try container.decodeIfPresent([String].self, forKey: .createOnly) ?? []
        keepTargetOnUpdate = try container.decodeIfPresent([String].self, forKey: .keepTargetOnUpdate) ?? []
        createWith = try container.decodeIfPresent([String: JSONValue].self, forKey: .createWith) ?? [:]
        subresources = try container.decodeIfPresent([String: SubresourceWrite].self, forKey: .subresources) ?? [:]
        assignments = try container.decodeIfPresent(AssignmentWrite.self, forKey: .assignments)
        skip = try container.decodeIfPresent([SkipRule].self, forKey: .skip) ?? []
        secrets = try container.decodeIfPresent([SecretRule].self, forKey: .secrets) ?? []
        references = try container.decodeIfPresent([Reference].self, forKey: .references) ?? []
        crossTenantWarning = try container.decodeIfPresent(String.self, forKey: .crossTenantWarning)
    }

    /// A recipe for a type that is never restored.
    public static func notRestorable(_ reason: String) -> RestoreRecipe {
        RestoreRecipe(restorable: false, reason: reason)
    }

    init(restorable: Bool, reason: String?) {
        self.restorable = restorable
        self.reason = reason
        order = 50
        create = Endpoint(method: "POST")
        update = Endpoint(method: "PATCH")
        readOnly = []
        createOnly = []
        keepTargetOnUpdate = []
        createWith = [:]
        subresources = [:]
        assignments = nil
        skip = []
        secrets = []
        references = []
        crossTenantWarning = nil
    }
}
