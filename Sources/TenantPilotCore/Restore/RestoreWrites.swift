import Foundation

/// Turns one policy's restore recipe into Graph writes: the body of a create or an update with
/// read-only properties stripped, and the writes of its sub-resources and assignments.
struct RestoreWrites: Sendable {
    let type: PolicyType
    let recipe: RestoreRecipe
    /// `{graph}/{version}/`, the base of `@odata.bind` references.
    let bindBase: String

    init(type: PolicyType, recipe: RestoreRecipe, graphURL: String) {
        self.type = type
        self.recipe = recipe
        var base = graphURL
        while base.hasSuffix("/") { base.removeLast() }
        self.bindBase = "\(base)/\(type.graphVersion)/"
    }

    // MARK: - Paths

    /// The collection a policy is written through: the registry's typed collection of its
    /// `@odata.type` (app protection), else the type's own.
    func collection(for payload: JSONValue?) -> String {
        payload.map { type.source(for: $0).path } ?? type.collectionPath
    }

    func policyPath(_ id: String, payload: JSONValue?) -> String {
        "\(collection(for: payload))/\(URLSessionGraphClient.pathSegment(id))"
    }

    func write(
        _ method: String, _ path: String, body: JSONValue? = nil, what: String, idempotent: Bool,
        fallback: String? = nil
    ) -> GraphWrite {
        GraphWrite(
            method: method, version: type.graphVersion, path: path, body: body, what: what, idempotent: idempotent,
            fallbackMethod: fallback, permission: type.permissions?.write, limit: type.requestLimit)
    }

    // MARK: - The policy itself

    /// POST that creates the policy (the recipe's path, its `{property}` placeholders filled
    /// from the backup).
    func create(_ payload: JSONValue, name: String) throws(TenantPilotError) -> GraphWrite {
        var path = collection(for: payload)
        if let template = recipe.create.path {
            path = try Self.fill(template, from: payload, what: "\(type.label) \"\(name)\"")
        }
        return write(
            recipe.create.method, path, body: body(payload, creating: true), what: "create \(type.label) \"\(name)\"",
            idempotent: false)
    }

    /// PATCH (or PUT) of the policy's own properties.
    func update(_ payload: JSONValue, targetId: String, name: String) -> GraphWrite {
        let path =
            recipe.update.path.map {
                $0.replacingOccurrences(of: "{id}", with: URLSessionGraphClient.pathSegment(targetId))
            }
            ?? policyPath(targetId, payload: payload)
        return write(
            recipe.update.method, path, body: body(payload, creating: false), what: "update \(type.label) \"\(name)\"",
            idempotent: true, fallback: recipe.update.fallbackMethod)
    }

    func delete(targetId: String, live: JSONValue?, name: String) -> GraphWrite {
        write("DELETE", policyPath(targetId, payload: live), what: "delete \(type.label) \"\(name)\"", idempotent: true)
    }

    /// The body of a create or an update: read-only properties, assignments and the
    /// sub-resources written apart left out; inline sub-resources under their property.
    func body(_ payload: JSONValue, creating: Bool) -> JSONValue {
        guard case .object(var object) = payload else { return payload }
        // What Graph computes itself, and what changes without the policy changing.
        for key in recipe.readOnly + type.volatileFields { object[key] = nil }
        if !creating { for key in recipe.createOnly + recipe.keepTargetOnUpdate { object[key] = nil } }
        object[ReferenceMap.assignmentsProperty] = nil
        for subresource in type.subresources + type.source(for: payload).subresources {
            object[subresource.property] = nil
        }
        for (property, write) in recipe.subresources {
            let elements = payload[property]
            object[property] = nil
            guard write.never == nil, let inline = (creating ? write.create : write.update)?.inline, let elements else {
                continue
            }
            object[inline] = Self.stripping(write.strip, from: elements)
        }
        if creating { object.merge(recipe.createWith) { _, forced in forced } }
        return Self.withoutAnnotations(.object(object))
    }

    // MARK: - Sub-resources

    /// Writes of the sub-resources after the policy exists: on create, those not sent inline;
    /// on update, those among `changed` properties.
    func subresourceWrites(
        _ payload: JSONValue, live: JSONValue?, targetId: String, creating: Bool, changed: Set<String>, name: String
    ) -> [GraphWrite] {
        let base = policyPath(targetId, payload: payload)
        var writes: [GraphWrite] = []
        for (property, spec) in recipe.subresources.sorted(by: { $0.key < $1.key }) where spec.never == nil {
            guard let mode = creating ? spec.create : spec.update, mode.inline == nil else { continue }
            guard creating || changed.contains(property) else { continue }
            let elements = payload[property]?.arrayValue ?? []
            if creating && elements.isEmpty { continue }
            let what = "\(property) of \(type.label) \"\(name)\""
            if let action = mode.action {
                let body = JSONValue.object([
                    mode.bodyKey ?? property: Self.stripping(spec.strip, from: .array(elements))
                ])
                writes.append(write("POST", "\(base)/\(action)", body: body, what: "write \(what)", idempotent: true))
            } else if let each = mode.each {
                let liveByKey = Dictionary(
                    (live?[property]?.arrayValue ?? []).compactMap { element in
                        mode.key.flatMap { element[$0]?.stringValue }.map { ($0, element) }
                    }, uniquingKeysWith: { first, _ in first })
                for element in elements {
                    let body = Self.withoutAnnotations(Self.stripping(spec.strip, from: element))
                    if let key = mode.key, let value = element[key]?.stringValue, let existing = liveByKey[value],
                        let id = existing["id"]?.stringValue
                    {
                        writes.append(
                            write(
                                "PATCH", "\(base)/\(each)/\(URLSessionGraphClient.pathSegment(id))", body: body,
                                what: "update \(what)", idempotent: true))
                    } else {
                        writes.append(
                            write("POST", "\(base)/\(each)", body: body, what: "add \(what)", idempotent: false))
                    }
                }
            } else if let action = mode.definitionValues {
                let body = definitionValuesBody(
                    elements, live: live?[property]?.arrayValue ?? [], definitionsPath: mode.definitionsPath ?? "")
                let adds = !(body["added"]?.arrayValue ?? []).isEmpty
                writes.append(write("POST", "\(base)/\(action)", body: body, what: "write \(what)", idempotent: !adds))
            }
        }
        return writes
    }

    /// `updateDefinitionValues`: each backed-up value bound to its definition (and each of its
    /// presentation values to its presentation) by id; values the target has are updated by their
    /// target id, the others added, and the target's values the backup lacks deleted.
    func definitionValuesBody(_ values: [JSONValue], live: [JSONValue], definitionsPath: String) -> JSONValue {
        func definitionId(_ value: JSONValue) -> String? { value["definition"]?["id"]?.stringValue }
        let liveByDefinition = Dictionary(
            live.compactMap { value in definitionId(value).map { ($0, value) } },
            uniquingKeysWith: { first, _ in first })
        var added: [JSONValue] = []
        var updated: [JSONValue] = []
        var kept = Set<String>()
        for value in values {
            guard let definition = definitionId(value) else { continue }
            let definitionBind = "\(bindBase)\(definitionsPath)('\(definition)')"
            let existing = liveByDefinition[definition]
            let livePresentations = Dictionary(
                (existing?["presentationValues"]?.arrayValue ?? []).compactMap { presentation in
                    presentation["presentation"]?["id"]?.stringValue.map { ($0, presentation) }
                }, uniquingKeysWith: { first, _ in first })
            var presentations: [JSONValue] = []
            for presentation in value["presentationValues"]?.arrayValue ?? [] {
                guard case .object(var object) = presentation,
                    let presentationId = presentation["presentation"]?["id"]?.stringValue
                else { continue }
                for key in ["id", "createdDateTime", "lastModifiedDateTime", "presentation"] { object[key] = nil }
                object["presentation@odata.bind"] = .string("\(definitionBind)/presentations('\(presentationId)')")
                if let liveId = livePresentations[presentationId]?["id"]?.stringValue { object["id"] = .string(liveId) }
                presentations.append(Self.withoutAnnotations(.object(object)))
            }
            var entry: [String: JSONValue] = [
                "enabled": value["enabled"] ?? .bool(true), "definition@odata.bind": .string(definitionBind),
                "presentationValues": .array(presentations),
            ]
            if let liveId = existing?["id"]?.stringValue {
                entry["id"] = .string(liveId)
                kept.insert(definition)
                updated.append(.object(entry))
            } else {
                added.append(.object(entry))
            }
        }
        let deleted = live.compactMap { value -> JSONValue? in
            guard let definition = definitionId(value), !kept.contains(definition), let id = value["id"]?.stringValue
            else { return nil }
            return .string(id)
        }
        return .object(["added": .array(added), "updated": .array(updated), "deletedIds": .array(deleted)])
    }

    // MARK: - Assignments

    /// The writes that make the target's assignments the backup's: one `assign` that replaces
    /// them all, or a POST per missing one and a DELETE per extra one.
    func assignmentWrites(
        _ assignments: [JSONValue], live: [JSONValue], targetId: String, payload: JSONValue, name: String
    ) -> [GraphWrite] {
        guard let spec = recipe.assignments else { return [] }
        let base = policyPath(targetId, payload: payload)
        let what = "assignments of \(type.label) \"\(name)\""
        let prepared = assignments.map { Self.withoutAnnotations(Self.stripping(spec.strip, from: $0)) }
        if let action = spec.action {
            return [
                write(
                    "POST", "\(base)/\(action)", body: .object([spec.bodyKey ?? "assignments": .array(prepared)]),
                    what: "set \(what)",
                    idempotent: true)
            ]
        }
        guard let each = spec.each else { return [] }
        let comparable = { (value: JSONValue) in
            PayloadComparison.canonicalForm(
                VolatileFields.stripped(Self.stripping(spec.strip, from: value), fields: []))
        }
        var wanted = prepared.map { ($0, comparable($0)) }
        var writes: [GraphWrite] = []
        for existing in live {
            let form = comparable(existing)
            if let index = wanted.firstIndex(where: { $0.1 == form }) {
                wanted.remove(at: index)
            } else if let id = existing["id"]?.stringValue {
                writes.append(
                    write(
                        "DELETE", "\(base)/\(each)/\(URLSessionGraphClient.pathSegment(id))",
                        what: "remove one of the \(what)", idempotent: true))
            }
        }
        for (assignment, _) in wanted {
            writes.append(
                write("POST", "\(base)/\(each)", body: assignment, what: "add one of the \(what)", idempotent: false))
        }
        return writes
    }

    // MARK: - Helpers

    /// `fields` removed from `value` and from every object nested in it.
    static func stripping(_ fields: [String], from value: JSONValue) -> JSONValue {
        guard !fields.isEmpty else { return value }
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, child) in object where !fields.contains(key) { result[key] = stripping(fields, from: child) }
            return .object(result)
        case .array(let items):
            return .array(items.map { stripping(fields, from: $0) })
        default:
            return value
        }
    }

    /// Response annotations (`@odata.context`, `…@odata.count`) removed everywhere; the ones a
    /// write means (`@odata.type`, `…@odata.bind`) kept.
    static func withoutAnnotations(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, child) in object {
                if key.contains("@odata.") && key != "@odata.type" && !key.hasSuffix("@odata.bind") { continue }
                result[key] = withoutAnnotations(child)
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(withoutAnnotations))
        default:
            return value
        }
    }

    /// `{property}` placeholders of a path filled from the payload, percent-encoded.
    static func fill(_ template: String, from payload: JSONValue, what: String) throws(TenantPilotError) -> String {
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = payload[name]?.stringValue, !value.isEmpty else {
                throw .failed("\(what) cannot be created: its backup has no \(name)", code: .restoreIncompleteBackup)
            }
            result += URLSessionGraphClient.pathSegment(value)
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
