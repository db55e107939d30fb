import Foundation
import TenantPilotCore

/// Graph's collections as the simulator serves them: every source of every registry type (the
/// type's collection and its typed collections), GET by id, sub-resources, `$top`, `$expand` on
/// listings and by id, and Intune's request limits when asked.
extension SimulatorHandler {
    /// Where a Graph path leads.
    enum Resource {
        case collection(PolicyType, PolicySource)
        case policy(PolicyType, PolicySource, String)
        case subresource(PolicyType, PolicySource, policyID: String, trail: [(path: String, id: String?)])

        var type: PolicyType {
            switch self {
            case .collection(let type, _), .policy(let type, _, _), .subresource(let type, _, _, _): type
            }
        }
    }

    /// Expansions Graph answers with empty arrays on a listing (docs/operations.md, "Graph's request limits"): the simulator does too.
    static let emptyListExpansions: Set<String> = [
        "groupPolicyConfiguration.definitionValues", "roleScopeTag.assignments",
    ]

    func resolve(_ segments: [String]) -> Resource? {
        let version = segments[0]
        let rest = Array(segments.dropFirst())
        for type in state.types where type.graphVersion == version {
            for source in type.sources {
                let collection = source.path.split(separator: "/").map(String.init)
                guard rest.count >= collection.count, Array(rest.prefix(collection.count)) == collection else {
                    continue
                }
                let tail = Array(rest.dropFirst(collection.count))
                if tail.isEmpty { return .collection(type, source) }
                if tail.count == 1 { return .policy(type, source, tail[0]) }
                // {id}/{sub}[/{elementID}/{child}]…
                var trail: [(path: String, id: String?)] = []
                var index = 1
                while index < tail.count {
                    trail.append((tail[index], index + 1 < tail.count ? tail[index + 1] : nil))
                    index += 2
                }
                if trail.last?.id != nil { return nil }
                return .subresource(type, source, policyID: tail[0], trail: trail)
            }
        }
        return nil
    }

    /// Answers one Graph GET (plain or inside a batch), counting it, enforcing the request
    /// limits when configured (refused requests count too, as Graph's do) and applying faults.
    func graph(tenant: String, segments: [String], query: [String: String]) -> Reply {
        let path = "/" + segments.joined(separator: "/")
        // Groups (SimulatorHandler+Writes.swift): what a restore into another tenant looks up.
        if let reply = directory(tenant: tenant, segments: segments, query: query) {
            state.count { $0.graph += 1 }
            return reply
        }
        let resolved = resolve(segments)
        state.count { counts in
            counts.graph += 1
            counts.byPath[path, default: 0] += 1
            switch resolved {
            case .collection?: counts.list += 1
            case .policy?: counts.getByID += 1
            case .subresource?: counts.subresource += 1
            case nil: break
            }
        }
        let limit = resolved?.type.requestLimit ?? .intune
        if let refusal = state.spendBudget(tenant: tenant, limit: limit, now: Date()) {
            state.count { $0.throttled += 1 }
            var reply = Self.error(
                429, "TooManyRequests", "Too many requests for this application and tenant; retry later.")
            if let seconds = refusal.retryAfterSeconds { reply.headers = ["Retry-After": String(seconds)] }
            return reply
        }
        let fault = state.takeFault { target in
            switch target {
            case .token, .batch: return false
            case .anyGraphRequest: return true
            case .pathContaining(let text): return path.contains(text)
            case .type(let key): return resolved?.type.key == key
            case .collection(let key):
                if case .collection(let type, _)? = resolved { return type.key == key }
                return false
            }
        }
        if case .hostile(let mode)? = fault {
            var reply = hostileReply(mode, path: path, query: query)
            if case .slowDrip = mode, let resolved {
                reply.body = answer(resolved, tenant: tenant, path: path, query: query).body
            }
            return reply
        }
        if let fault {
            var reply = faultReply(fault, tokenEndpoint: false)
            if reply.bodyFault != nil {
                reply.body =
                    resolved.map { answer($0, tenant: tenant, path: path, query: query).body ?? .null } ?? .null
            }
            return reply
        }
        guard let resolved else {
            return Self.error(400, "BadRequest", "Resource not found for the segment in \(path).")
        }
        return answer(resolved, tenant: tenant, path: path, query: query)
    }

    private func members(_ type: PolicyType, _ source: PolicySource, tenant: String) -> [SimulatedPolicy] {
        let all = state.policies(tenant: tenant, type: type.key) ?? []
        guard source.odataType != nil else { return all }
        return all.filter { $0.collectionPath == source.path }
    }

    private func answer(_ resource: Resource, tenant: String, path: String, query: [String: String]) -> Reply {
        let version = path.split(separator: "/").first.map(String.init) ?? ""
        let expansions = Self.expansions(query["$expand"] ?? "")
        switch resource {
        case .collection(let type, let source):
            if !expansions.isEmpty, state.configuration.refuseListExpansions {
                return Self.error(
                    400, "BadRequest", "Expanding navigation properties is not supported when listing \(source.path).")
            }
            var items: [JSON] = []
            for policy in members(type, source, tenant: tenant) {
                switch expanded(
                    policy.listed, policy: policy, type: type, source: source, expansions: expansions, onList: true,
                    version: version)
                {
                case .success(let item): items.append(item)
                case .failure(let reply): return reply
                }
            }
            return page(items, path: path, query: query)
        case .policy(let type, let source, let id):
            guard let policy = members(type, source, tenant: tenant).first(where: { $0.id == id }) else {
                return Self.error(404, "ResourceNotFound", "Resource not found: \(id)")
            }
            var body = policy.detailed
            if case .object(var object) = body {
                object["@odata.context"] = .string(
                    "\(state.baseURL)/\(type.graphVersion)/$metadata#\(source.path)/$entity")
                body = .object(object)
            }
            switch expanded(
                body, policy: policy, type: type, source: source, expansions: expansions, onList: false,
                version: version)
            {
            case .success(let item): return Reply(status: 200, body: item)
            case .failure(let reply): return reply
            }
        case .subresource(let type, let source, let policyID, let trail):
            guard let policy = members(type, source, tenant: tenant).first(where: { $0.id == policyID }) else {
                return Self.error(404, "ResourceNotFound", "Resource not found: \(policyID)")
            }
            // Only the navigation properties the collection's entity type has exist.
            guard source.subresources.contains(where: { $0.path == trail[0].path }) else {
                return Self.error(400, "BadRequest", "Resource not found for the segment '\(trail[0].path)'.")
            }
            var elements: [SimulatedElement]? = policy.subresources[trail[0].path]
            for step in trail.indices.dropFirst() {
                let parentID = trail[step - 1].id
                elements = elements?.first { $0.id == parentID }?.children[trail[step].path]
            }
            guard let elements else {
                return Self.error(400, "BadRequest", "Resource not found for the segment \(trail.last?.path ?? "")")
            }
            let expand = Set(expansions.map(\.name))
            return page(elements.map { $0.rendered(expanding: expand) }, path: path, query: query)
        }
    }

    /// A policy with the navigation properties `$expand` asks for; more elements than a page
    /// come with `property@odata.nextLink`, as Graph pages an expansion.
    private func expanded(
        _ item: JSON, policy: SimulatedPolicy, type: PolicyType, source: PolicySource,
        expansions: [(name: String, nested: Set<String>)], onList: Bool, version: String
    ) -> Result<JSON, Reply> {
        guard !expansions.isEmpty, case .object(var object) = item else { return .success(item) }
        for expansion in expansions {
            guard let subresource = source.subresources.first(where: { $0.property == expansion.name }) else {
                return .failure(
                    Self.error(
                        400, "BadRequest",
                        "Could not find a property named '\(expansion.name)' on type '\(source.odataType ?? type.key)'."
                    ))
            }
            if onList, Self.emptyListExpansions.contains("\(type.key).\(subresource.property)") {
                object[subresource.property] = .array([])
                continue
            }
            let elements = (policy.subresources[subresource.path] ?? []).map {
                $0.rendered(expanding: expansion.nested)
            }
            let size = state.configuration.pageSize
            object[subresource.property] = .array(Array(elements.prefix(size)))
            if elements.count > size {
                var link = "\(state.baseURL)/\(version)/\(source.path)/\(policy.id)/\(subresource.path)?"
                if !expansion.nested.isEmpty {
                    link += "$expand=\(expansion.nested.sorted().joined(separator: ","))&"
                }
                object[subresource.property + "@odata.nextLink"] = .string(link + "$skiptoken=\(size)")
            }
        }
        return .success(.object(object))
    }

    /// `a,b($expand=c,d)` as names with their nested expansions.
    static func expansions(_ text: String) -> [(name: String, nested: Set<String>)] {
        var clauses: [String] = []
        var depth = 0
        var current = ""
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                clauses.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        clauses.append(current)
        return clauses.compactMap { clause in
            let trimmed = clause.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let open = trimmed.firstIndex(of: "(") else { return (trimmed, []) }
            let name = String(trimmed[..<open])
            var inner = String(trimmed[trimmed.index(after: open)...])
            if inner.hasSuffix(")") { inner.removeLast() }
            let nested = inner.hasPrefix("$expand=") ? String(inner.dropFirst("$expand=".count)) : ""
            return (name, Set(expansions(nested).map(\.name)))
        }
    }

    /// One page of a collection, with `@odata.nextLink` when more follow: `$top` elements, at
    /// most `pageSize`; without `$top`, `defaultPageSize`.
    private func page(_ items: [JSON], path: String, query: [String: String]) -> Reply {
        let configuration = state.configuration
        let requested = query["$top"].flatMap { Int($0) }
        let size = max(
            1, min(requested ?? configuration.defaultPageSize ?? configuration.pageSize, configuration.pageSize))
        let skip = max(0, Int(query["$skiptoken"] ?? "") ?? 0)
        let slice = skip < items.count ? Array(items[skip..<min(skip + size, items.count)]) : []
        var object: [String: JSON] = [
            "@odata.context": .string(
                "\(state.baseURL)\(path.split(separator: "/").prefix(1).map { "/\($0)" }.joined())/$metadata"),
            "value": .array(slice),
        ]
        if skip + size < items.count {
            var next = "\(state.baseURL)\(path)?"
            if let expand = query["$expand"] {
                next += "$expand=\(expand.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? expand)&"
            }
            if let requested { next += "$top=\(requested)&" }
            object["@odata.nextLink"] = .string(next + "$skiptoken=\(skip + size)")
        }
        return Reply(status: 200, body: .object(object))
    }
}
