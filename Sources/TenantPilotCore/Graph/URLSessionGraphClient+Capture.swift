import Foundation

extension URLSessionGraphClient {
    /// Captures every listed policy whole (docs/architecture.md) with as few requests as the registry allows:
    /// what the listing expanded is kept (its `…@odata.nextLink` followed to the end); a GET by
    /// id, when the type needs one, expands what it may; every other sub-resource is read per
    /// policy, and each element's children per element. The requests of all policies go
    /// together, wave after wave, in `$batch`es.
    public func capturePolicies(of type: PolicyType, listed: [JSONValue]) async -> [String: Result<
        JSONValue, TenantPilotError
    >] {
        let memo = listings.current[type.key] ?? ListingMemo()
        let sources = type.sources
        var capture = PolicyCapture(type: type)
        var seen = Set<String>()
        for item in listed {
            guard let id = item["id"]?.stringValue, !id.isEmpty, seen.insert(id).inserted else { continue }
            let index =
                memo.sourceOf[id] ?? sources.firstIndex(of: type.source(for: item)) ?? (sources.count - 1)
            let trusted = memo.sourceOf[id] == index ? memo.expanded[index] ?? [] : []
            capture.add(id: id, listed: item, source: sources[index], trusted: trusted, client: self)
        }
        while !capture.pending.isEmpty {
            let reads = capture.pending
            capture.pending = []
            let results = await read(reads.map(\.read))
            for (pending, result) in zip(reads, results) {
                capture.settle(pending, result, client: self)
            }
        }
        return capture.payloads()
    }
}

/// The policies of one type being captured: each policy and each element of a sub-resource
/// with children is a node; reads fill their properties.
struct PolicyCapture {
    /// A policy, or an element whose children are read.
    struct Node {
        var object: [String: JSONValue]
        /// Its path below the version (`deviceManagement/groupPolicyConfigurations/{id}`).
        let owner: String
        /// The policy it belongs to.
        let root: Int
        let subresources: [Subresource]
        var values: [String: [JSONValue]] = [:]
        var children: [String: [Int]] = [:]
    }

    /// Why a read was made.
    enum Purpose {
        /// GET by id; `replacesBase` when the listing lacks properties; `expanded` it asked for.
        case entity(expanded: [Subresource], replacesBase: Bool)
        /// A sub-resource, every page.
        case collection(Subresource)
        /// The rest of a sub-resource that an expansion answered in part.
        case continuation(Subresource)
    }

    struct Pending {
        let node: Int
        let purpose: Purpose
        let read: GraphRead
    }

    let type: PolicyType
    var nodes: [Node] = []
    var ids: [String] = []
    var failures: [Int: TenantPilotError] = [:]
    var pending: [Pending] = []

    init(type: PolicyType) {
        self.type = type
    }

    // MARK: - Planning

    mutating func add(
        id: String, listed: JSONValue, source: PolicySource, trusted: Set<String>, client: URLSessionGraphClient
    ) {
        let root = ids.count
        ids.append(id)
        guard case .object(let object) = listed else {
            failures[root] = GraphFailure.badBody("\(type.label) \(id)", "the policy is not a JSON object").error
            nodes.append(Node(object: [:], owner: "", root: root, subresources: []))
            return
        }
        let node = nodes.count
        nodes.append(
            Node(
                object: object, owner: "\(source.path)/\(URLSessionGraphClient.pathSegment(id))", root: root,
                subresources: source.subresources))
        var unsatisfied: [Subresource] = []
        for subresource in source.subresources {
            if trusted.contains(subresource.property), let values = object[subresource.property]?.arrayValue {
                accept(
                    values, link: object[subresource.property + "@odata.nextLink"], for: subresource, on: node,
                    client: client)
            } else {
                unsatisfied.append(subresource)
            }
        }
        let expandable = unsatisfied.filter(\.itemExpand)
        if source.fetchById || !expandable.isEmpty {
            requestEntity(of: node, expanding: expandable, replacesBase: source.fetchById)
            for subresource in unsatisfied where !subresource.itemExpand { requestCollection(subresource, of: node) }
        } else {
            for subresource in unsatisfied { requestCollection(subresource, of: node) }
        }
    }

    private mutating func requestEntity(of node: Int, expanding: [Subresource], replacesBase: Bool) {
        let owner = nodes[node].owner
        let get = GraphGET(
            version: type.graphVersion,
            relative: URLSessionGraphClient.relative(owner, expand: expanding.map(\.expansionClause)),
            what: "\(type.label) \(ids[nodes[node].root])", limit: type.requestLimit)
        pending.append(
            Pending(
                node: node, purpose: .entity(expanded: expanding, replacesBase: replacesBase),
                read: GraphRead(get: get, shape: .entity)))
    }

    private mutating func requestCollection(_ subresource: Subresource, of node: Int) {
        let path = "\(nodes[node].owner)/\(subresource.path)"
        let get = GraphGET(
            version: type.graphVersion,
            relative: URLSessionGraphClient.relative(
                path, expand: subresource.expand.map { [$0] } ?? [], top: subresource.top),
            what: path, limit: type.requestLimit)
        pending.append(
            Pending(node: node, purpose: .collection(subresource), read: GraphRead(get: get, shape: .collection)))
    }

    /// A sub-resource's elements as far as they came; the rest follows `link`, or its children
    /// are requested once it is whole.
    private mutating func accept(
        _ values: [JSONValue], link: JSONValue?, for subresource: Subresource, on node: Int,
        client: URLSessionGraphClient
    ) {
        nodes[node].values[subresource.property, default: []].append(contentsOf: values)
        if let link, link != .null {
            switch client.continuation(link, limit: type.requestLimit, what: "\(nodes[node].owner)/\(subresource.path)")
            {
            case .success(let get):
                pending.append(
                    Pending(
                        node: node, purpose: .continuation(subresource), read: GraphRead(get: get, shape: .collection)))
            case .failure(let failure):
                fail(node, failure.error)
            }
            return
        }
        guard !subresource.children.isEmpty else { return }
        for element in nodes[node].values[subresource.property] ?? [] {
            guard case .object(let object) = element, let id = object["id"]?.stringValue, !id.isEmpty else {
                fail(
                    node,
                    GraphFailure.badBody("\(nodes[node].owner)/\(subresource.path)", "an element without an id").error)
                return
            }
            let child = nodes.count
            nodes.append(
                Node(
                    object: object,
                    owner: "\(nodes[node].owner)/\(subresource.path)/\(URLSessionGraphClient.pathSegment(id))",
                    root: nodes[node].root, subresources: subresource.children))
            nodes[node].children[subresource.property, default: []].append(child)
            for grandchild in subresource.children { requestCollection(grandchild, of: child) }
        }
    }

    private mutating func fail(_ node: Int, _ error: TenantPilotError) {
        let root = nodes[node].root
        if failures[root] == nil { failures[root] = error }
    }

    // MARK: - Answers

    mutating func settle(_ read: Pending, _ result: Result<ReadResult, GraphFailure>, client: URLSessionGraphClient) {
        let node = read.node
        guard failures[nodes[node].root] == nil else { return }
        let answer: ReadResult
        switch result {
        case .success(let value):
            answer = value
        case .failure(let failure):
            if case .entity(let expanded, let replacesBase) = read.purpose, failure.status == 400, !expanded.isEmpty {
                // A GET by id that refuses the expansion: once plain, the sub-resources on their own.
                if replacesBase { requestEntity(of: node, expanding: [], replacesBase: true) }
                for subresource in expanded { requestCollection(subresource, of: node) }
            } else {
                fail(node, failure.error)
            }
            return
        }
        switch read.purpose {
        case .entity(let expanded, let replacesBase):
            guard case .entity(.object(let body)) = answer else { return }
            if replacesBase { nodes[node].object = body }
            for subresource in expanded {
                if let values = body[subresource.property]?.arrayValue {
                    accept(
                        values, link: body[subresource.property + "@odata.nextLink"], for: subresource, on: node,
                        client: client)
                } else {
                    requestCollection(subresource, of: node)
                }
            }
        case .collection(let subresource):
            accept(answer.elements, link: nil, for: subresource, on: node, client: client)
        case .continuation(let subresource):
            accept(answer.elements, link: nil, for: subresource, on: node, client: client)
        }
    }

    // MARK: - Payloads

    func payloads() -> [String: Result<JSONValue, TenantPilotError>] {
        var result: [String: Result<JSONValue, TenantPilotError>] = [:]
        var roots: [Int: Int] = [:]
        for (index, node) in nodes.enumerated() where roots[node.root] == nil { roots[node.root] = index }
        for (root, id) in ids.enumerated() {
            if let failure = failures[root] {
                result[id] = .failure(failure)
            } else if let node = roots[root] {
                result[id] = .success(render(node))
            }
        }
        return result
    }

    /// A node's object with each sub-resource under its property, as `$expand` places it.
    private func render(_ index: Int) -> JSONValue {
        let node = nodes[index]
        var object = node.object
        for subresource in node.subresources {
            for key in object.keys where key.hasPrefix(subresource.property + "@odata.") { object[key] = nil }
            if subresource.children.isEmpty {
                object[subresource.property] = .array(node.values[subresource.property] ?? [])
            } else {
                object[subresource.property] = .array((node.children[subresource.property] ?? []).map(render))
            }
        }
        return .object(object)
    }
}
