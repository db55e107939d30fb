import Foundation

/// Property-level comparison of two captures of one policy, as `restore`'s plan, `drift` and
/// `backups diff` show it. What is ignored: the registry's volatile fields, `@odata`
/// annotations, the identity and timestamps of each sub-resource element (an assignment or a
/// setting gets a new id when it is written again), and the order of every array — Graph
/// returns the same assignments, settings and definition values in any order. Arrays whose
/// elements carry a natural key (a setting's definition id, a definition value's definition, an
/// OMA-URI, a locale) are compared element by element; other arrays of objects (assignments)
/// are compared as sets of elements.
public struct PayloadComparison: Sendable {
    /// Top-level properties ignored besides the type's volatile fields.
    public var ignoredProperties: Set<String>
    /// Properties whose arrays hold sub-resource elements, with their nested sub-resources.
    let subresources: [Subresource]
    let volatileFields: [String]

    /// Fields of a sub-resource element that Graph assigns itself.
    static let elementIdentityFields: Set<String> = ["id", "createdDateTime", "lastModifiedDateTime"]

    /// Where an array element's natural key is found, tried in order; the first that gives every
    /// element on both sides a distinct string wins.
    static let elementKeys: [[String]] = [
        ["settingInstance", "settingDefinitionId"], ["definition", "id"], ["presentation", "id"], ["definitionId"],
        ["settingDefinitionId"], ["ruleName"], ["actionType"], ["locale"], ["omaUri"], ["appConfigKey"],
    ]

    public init(type: PolicyType?, ignoring: Set<String> = []) {
        self.ignoredProperties = ignoring.union(["id"])
        // Every collection's sub-resources (a typed collection may have its own).
        var seen = Set<String>()
        self.subresources = (type?.sources.flatMap(\.subresources) ?? []).filter { seen.insert($0.property).inserted }
        self.volatileFields = type?.volatileFields ?? []
    }

    /// The payload as it is compared: volatile fields, ignored properties, annotations and
    /// element identities removed.
    public func normalized(_ payload: JSONValue) -> JSONValue {
        let stripped = VolatileFields.stripped(payload, fields: volatileFields + Array(ignoredProperties))
        guard case .object(var object) = stripped else { return stripped }
        for subresource in subresources {
            if let value = object[subresource.property] {
                object[subresource.property] = Self.stripElements(value, children: subresource.children)
            }
        }
        return .object(object)
    }

    /// Every property that differs, ordered by path.
    public func changes(from old: JSONValue, to new: JSONValue) -> [PropertyChange] {
        var found: [PropertyChange] = []
        Self.diff(path: "", normalized(old), normalized(new), into: &found)
        return found.sorted { $0.path < $1.path }
    }

    // MARK: - Normalising

    /// Sub-resource elements without their identity, nor that of the objects in arrays nested
    /// in them (a compliance rule's action configurations, a definition value's presentation
    /// values): Graph gives each a new id when it is written again.
    private static func stripElements(_ value: JSONValue, children: [Subresource]) -> JSONValue {
        guard case .array(let elements) = value else { return value }
        return .array(elements.map(stripIdentity))
    }

    private static func stripIdentity(_ element: JSONValue) -> JSONValue {
        guard case .object(var object) = element else { return element }
        for field in elementIdentityFields { object[field] = nil }
        for (key, child) in object {
            if case .array(let nested) = child { object[key] = .array(nested.map(stripIdentity)) }
        }
        return .object(object)
    }

    // MARK: - Diffing

    private static func diff(path: String, _ old: JSONValue, _ new: JSONValue, into found: inout [PropertyChange]) {
        switch (old, new) {
        case (.object(let before), .object(let after)):
            for key in Set(before.keys).union(after.keys).sorted() {
                let a = before[key] ?? .null
                let b = after[key] ?? .null
                diff(path: path.isEmpty ? key : "\(path).\(key)", a, b, into: &found)
            }
        case (.array(let before), .array(let after)):
            diffArrays(path: path, before, after, into: &found)
        default:
            if !sameScalar(old, new) { found.append(PropertyChange(path: path, old: old, new: new)) }
        }
    }

    private static func diffArrays(
        path: String, _ before: [JSONValue], _ after: [JSONValue], into found: inout [PropertyChange]
    ) {
        let oldForms = before.map(canonicalForm)
        let newForms = after.map(canonicalForm)
        if oldForms.sorted(by: precedes) == newForms.sorted(by: precedes) { return }
        let scalars = (before + after).allSatisfy { value in
            switch value {
            case .object, .array: false
            default: true
            }
        }
        if scalars {
            found.append(PropertyChange(path: path, old: .array(before), new: .array(after)))
            return
        }
        if let keyPath = elementKeys.first(where: { keyed(before, by: $0) != nil && keyed(after, by: $0) != nil }),
            let oldByKey = keyed(before, by: keyPath), let newByKey = keyed(after, by: keyPath)
        {
            for key in Set(oldByKey.keys).union(newByKey.keys).sorted() {
                let elementPath = "\(path)[\(key)]"
                switch (oldByKey[key], newByKey[key]) {
                case (let a?, let b?): diff(path: elementPath, a, b, into: &found)
                case (let a?, nil): found.append(PropertyChange(path: elementPath, old: a, new: .null))
                case (nil, let b?): found.append(PropertyChange(path: elementPath, old: .null, new: b))
                case (nil, nil): break
                }
            }
            return
        }
        // A set of elements: what only one side has.
        var unmatched = newForms.indices.map { ($0, newForms[$0]) }
        var removed: [JSONValue] = []
        for (index, form) in oldForms.enumerated() {
            if let position = unmatched.firstIndex(where: { $0.1 == form }) {
                unmatched.remove(at: position)
            } else {
                removed.append(before[index])
            }
        }
        for element in removed { found.append(PropertyChange(path: "\(path)[]", old: element, new: .null)) }
        for (index, _) in unmatched { found.append(PropertyChange(path: "\(path)[]", old: .null, new: after[index])) }
    }

    /// Elements by their key at `keyPath`, when every element has a distinct string there.
    private static func keyed(_ elements: [JSONValue], by keyPath: [String]) -> [String: JSONValue]? {
        var byKey: [String: JSONValue] = [:]
        for element in elements {
            var value: JSONValue? = element
            for step in keyPath { value = value?[step] }
            guard let key = value?.stringValue, byKey[key] == nil else { return nil }
            byKey[key] = element
        }
        return byKey
    }

    /// Canonical bytes with every nested array in canonical order, so that reordering compares equal.
    static func canonicalForm(_ value: JSONValue) -> Data {
        sortedArrays(value).canonicalData()
    }

    static func sortedArrays(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(object.mapValues(sortedArrays))
        case .array(let items):
            return .array(
                items.map(sortedArrays).map { ($0, $0.canonicalData()) }.sorted { precedes($0.1, $1.1) }.map(\.0))
        default:
            return value
        }
    }

    private static func precedes(_ a: Data, _ b: Data) -> Bool { a.lexicographicallyPrecedes(b) }

    /// Equal scalars, `1` and `1.0` alike.
    private static func sameScalar(_ a: JSONValue, _ b: JSONValue) -> Bool {
        a == b || a.canonicalData() == b.canonicalData()
    }
}
