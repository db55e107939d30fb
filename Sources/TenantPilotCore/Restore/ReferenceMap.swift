import Foundation

/// How the ids a backup names — groups, assignment filters, scope tags, other policies — become
/// ids in the target tenant. In the tenant the set came from an id that still exists stays; in
/// another tenant (or when the object was deleted) a group is found by its display name in the
/// target, a filter, tag or policy by the name the set (or the source tenant) gives it. An
/// object this restore creates is resolved once it has been created. What has no match is left
/// out and named.
struct ReferenceMap: Sendable {
    /// Where one source id leads.
    enum Target: Sendable, Hashable {
        /// This id in the target.
        case id(String)
        /// The policy of this type that this restore creates from the set's policy with this id.
        case created(type: String, sourceId: String)
        /// Nothing: why, for the warning.
        case missing(String)
    }

    /// Source group id → target.
    var groups: [String: Target] = [:]
    /// Type key → source id → target (assignment filters, scope tags, referenced policies).
    var objects: [String: [String: Target]] = [:]
    /// Display names of source ids, for warnings.
    var names: [String: String] = [:]

    /// Graph-schema property names that hold references in every policy.
    static let scopeTagsProperty = "roleScopeTagIds"
    static let assignmentsProperty = "assignments"
    static let groupIdField = "groupId"
    static let filterIdField = "deviceAndAppManagementAssignmentFilterId"
    static let filterTypeField = "deviceAndAppManagementAssignmentFilterType"
    /// The scope tag every tenant has (Default).
    static let defaultScopeTag = "0"
    static let filterType = "assignmentFilter"
    static let scopeTagType = "roleScopeTag"

    /// The ids of policies this restore has created so far: type key → source id → new id.
    typealias Created = [String: [String: String]]

    /// The backup's payload with every reference replaced by its target id, and a warning per
    /// reference left out. `includeAssignments` false drops the assignments altogether.
    /// `created` is nil while planning: a reference to what this restore will create keeps its
    /// source id then; when applying, one whose creation failed is left out.
    func mapped(
        _ payload: JSONValue, recipe: RestoreRecipe, includeAssignments: Bool, created: Created? = nil
    ) -> (payload: JSONValue, warnings: [String]) {
        guard case .object(var object) = payload else { return (payload, []) }
        var warnings: [String] = []

        if !includeAssignments || recipe.assignments == nil {
            object[Self.assignmentsProperty] = nil
        } else if case .array(let assignments)? = object[Self.assignmentsProperty] {
            var kept: [JSONValue] = []
            for assignment in assignments {
                let (mapped, warning) = mapAssignment(assignment, created: created)
                if let mapped { kept.append(mapped) }
                if let warning { warnings.append(warning) }
            }
            object[Self.assignmentsProperty] = .array(kept)
        }

        if case .array(let tags)? = object[Self.scopeTagsProperty] {
            var kept: [JSONValue] = []
            for tag in tags {
                guard let id = tag.stringValue else { continue }
                if id == Self.defaultScopeTag {
                    kept.append(tag)
                    continue
                }
                switch resolve(type: Self.scopeTagType, id: id, created: created) {
                case .success(let target): if !kept.contains(.string(target)) { kept.append(.string(target)) }
                case .failure(let reason): warnings.append("scope tag \(describe(id)) left out: \(reason)")
                }
            }
            object[Self.scopeTagsProperty] = .array(kept.isEmpty ? [.string(Self.defaultScopeTag)] : kept)
        }

        var result = JSONValue.object(object)
        for reference in recipe.references {
            let steps = reference.path.split(separator: ".").map(String.init)
            result = replacing(result, steps: steps[...]) { value in
                guard let id = value.stringValue, !id.isEmpty, !reference.keep.contains(id) else { return value }
                switch resolve(type: reference.type, id: id, created: created) {
                case .success(let target): return .string(target)
                case .failure(let reason):
                    warnings.append("\(reference.path) \(describe(id)) cleared: \(reason)")
                    return reference.keep.first.map(JSONValue.string) ?? .null
                }
            }
        }
        return (result, warnings)
    }

    /// One assignment with its group and filter mapped, or nil (and why) when either has no match.
    private func mapAssignment(_ assignment: JSONValue, created: Created?) -> (JSONValue?, String?) {
        guard case .object(var object) = assignment, case .object(var target)? = object["target"] else {
            return (assignment, nil)
        }
        if let group = target[Self.groupIdField]?.stringValue, !group.isEmpty {
            switch groups[group] ?? .id(group) {
            case .id(let mapped): target[Self.groupIdField] = .string(mapped)
            case .created: break
            case .missing(let reason):
                return (nil, "assignment to group \(describe(group)) left out: \(reason)")
            }
        }
        if let filter = target[Self.filterIdField]?.stringValue, !filter.isEmpty {
            switch resolve(type: Self.filterType, id: filter, created: created) {
            case .success(let mapped): target[Self.filterIdField] = .string(mapped)
            case .failure(let reason):
                let group = target[Self.groupIdField]?.stringValue.map { " to group \(describe($0))" } ?? ""
                return (nil, "assignment\(group) with filter \(describe(filter)) left out: \(reason)")
            }
        }
        object["target"] = .object(target)
        return (.object(object), nil)
    }

    /// The target id of a source object of `type`, or why there is none.
    func resolve(type: String, id: String, created: Created?) -> Result<String, ReasonError> {
        switch objects[type]?[id] ?? .id(id) {
        case .id(let target): return .success(target)
        case .created(let createdType, let sourceId):
            guard let created else { return .success(id) }
            if let new = created[createdType]?[sourceId] { return .success(new) }
            return .failure(ReasonError("it was to be created by this restore, which could not create it"))
        case .missing(let reason): return .failure(ReasonError(reason))
        }
    }

    /// `"Name" (id)` when the name is known, else the id.
    func describe(_ id: String) -> String {
        names[id].map { "\"\($0)\" (\(id))" } ?? id
    }

    /// `value` with `transform` applied at the end of `steps` (`name[]` walks every element).
    private func replacing(_ value: JSONValue, steps: ArraySlice<String>, _ transform: (JSONValue) -> JSONValue)
        -> JSONValue
    {
        guard let step = steps.first else { return transform(value) }
        let rest = steps.dropFirst()
        let isArray = step.hasSuffix("[]")
        let name = isArray ? String(step.dropLast(2)) : step
        guard case .object(var object) = value, let child = object[name] else { return value }
        if isArray {
            guard case .array(let elements) = child else { return value }
            object[name] = .array(elements.map { replacing($0, steps: rest, transform) })
        } else {
            object[name] = replacing(child, steps: rest, transform)
        }
        return .object(object)
    }

    /// A reason a reference could not be mapped.
    struct ReasonError: Error, Sendable, CustomStringConvertible {
        let reason: String
        init(_ reason: String) { self.reason = reason }
        var description: String { reason }
    }
}
