import Foundation

extension URLSessionGraphClient {
    public func capturePolicies(of type: PolicyType, listed: [JSONValue]) async -> [String: Result<
        JSONValue, TenantPilotError
    >] {
        var ids: [String] = []
        var listedByID: [String: JSONValue] = [:]
        for item in listed {
            guard let id = item["id"]?.stringValue, !id.isEmpty, listedByID[id] == nil else { continue }
            ids.append(id)
            listedByID[id] = item
        }
        guard !ids.isEmpty else { return [:] }
        let owners = ids.map { "\(type.collectionPath)/\(Self.pathSegment($0))" }
        let version = type.graphVersion
        async let entities: [Result<JSONValue, TenantPilotError>]? =
            type.fetchById
            ? batchedGETs(
                zip(ids, owners).map { BatchGET(relative: $1, what: "\(type.label) \($0)") }, version: version)
            : nil
        async let parts = captureSubresources(type.subresources, of: owners, version: version)
        let (fetched, properties) = await (entities, parts)

        var payloads: [String: Result<JSONValue, TenantPilotError>] = [:]
        for (index, id) in ids.enumerated() {
            let base: JSONValue
            if let fetched {
                switch fetched[index] {
                case .success(let value): base = value
                case .failure(let error):
                    payloads[id] = .failure(error)
                    continue
                }
            } else {
                base = listedByID[id] ?? .null
            }
            guard case .object(var object) = base else {
                payloads[id] = .failure(
                    GraphFailure.badBody("\(type.label) \(id)", "the policy is not a JSON object").error)
                continue
            }
            switch properties[index] {
            case .failure(let error):
                payloads[id] = .failure(error)
            case .success(let values):
                object.merge(values) { _, captured in captured }
                payloads[id] = .success(.object(object))
            }
        }
        return payloads
    }

    /// For each owner (a path below the version), every element of each sub-resource — all
    /// pages, `$expand` applied, children nested in each element — keyed by property name; or
    /// the first failure met for that owner.
    func captureSubresources(
        _ subresources: [Subresource], of owners: [String], version: String
    ) async -> [Result<[String: JSONValue], TenantPilotError>] {
        guard !subresources.isEmpty, !owners.isEmpty else { return owners.map { _ in .success([:]) } }
        var requests: [BatchGET] = []
        for owner in owners {
            for subresource in subresources {
                var relative = "\(owner)/\(subresource.path)"
                if let expand = subresource.expand { relative += "?$expand=\(Self.queryValue(expand))" }
                requests.append(BatchGET(relative: relative, what: "\(owner)/\(subresource.path)"))
            }
        }
        let fetched = await collections(requests, version: version)

        var failures: [TenantPilotError?] = Array(repeating: nil, count: owners.count)
        var elements: [[[JSONValue]]] = Array(
            repeating: Array(repeating: [], count: subresources.count), count: owners.count)
        for owner in owners.indices {
            for sub in subresources.indices {
                switch fetched[owner * subresources.count + sub] {
                case .success(let items): elements[owner][sub] = items
                case .failure(let error): failures[owner] = failures[owner] ?? error
                }
            }
        }

        for (sub, subresource) in subresources.enumerated() where !subresource.children.isEmpty {
            var childOwners: [String] = []
            var positions: [(owner: Int, element: Int)] = []
            for owner in owners.indices where failures[owner] == nil {
                for (position, element) in elements[owner][sub].enumerated() {
                    guard let id = element["id"]?.stringValue, !id.isEmpty else {
                        failures[owner] =
                            GraphFailure.badBody(
                                "\(owners[owner])/\(subresource.path)", "an element without an id"
                            ).error
                        break
                    }
                    childOwners.append("\(owners[owner])/\(subresource.path)/\(Self.pathSegment(id))")
                    positions.append((owner, position))
                }
            }
            let nested = await captureSubresources(subresource.children, of: childOwners, version: version)
            for (position, place) in positions.enumerated() where failures[place.owner] == nil {
                switch nested[position] {
                case .failure(let error):
                    failures[place.owner] = error
                case .success(let values):
                    if case .object(var object) = elements[place.owner][sub][place.element] {
                        object.merge(values) { _, captured in captured }
                        elements[place.owner][sub][place.element] = .object(object)
                    }
                }
            }
        }

        return owners.indices.map { owner in
            if let failure = failures[owner] { return .failure(failure) }
            var values: [String: JSONValue] = [:]
            for (sub, subresource) in subresources.enumerated() {
                values[subresource.property] = .array(elements[owner][sub])
            }
            return .success(values)
        }
    }

    /// Every element of each collection, all pages. Pages are read in rounds: the first page of
    /// every collection, then the next page of every collection that has one, … each round in
    /// `$batch`es of up to 20, so a hundred long collections cost a few batches per round rather
    /// than a hundred GETs one after another.
    func collections(_ requests: [BatchGET], version: String) async -> [Result<[JSONValue], TenantPilotError>] {
        var results = [Result<[JSONValue], TenantPilotError>?](repeating: nil, count: requests.count)
        var items = [[JSONValue]](repeating: [], count: requests.count)
        var visited = requests.map { request -> Set<String> in
            (try? graphURL(version: version, path: request.relative)).map { [$0.absoluteString] } ?? []
        }
        var round: [(index: Int, request: BatchGET)] = Array(zip(requests.indices, requests))
        var pages = 0
        while !round.isEmpty {
            pages += 1
            let fetched = await batchedGETs(round.map(\.request), version: version)
            var next: [(index: Int, request: BatchGET)] = []
            for (position, entry) in round.enumerated() {
                let index = entry.index
                let what = requests[index].what
                let page: JSONValue
                switch fetched[position] {
                case .failure(let error):
                    results[index] = .failure(error)
                    continue
                case .success(let value): page = value
                }
                guard let values = page["value"]?.arrayValue else {
                    results[index] = .failure(
                        GraphFailure.badBody(what, "a collection page without a value array").error)
                    continue
                }
                items[index].append(contentsOf: values)
                guard let link = page["@odata.nextLink"] else {
                    results[index] = .success(items[index])
                    items[index] = []
                    continue
                }
                let url: URL
                switch nextLinkURL(link, what: what) {
                case .success(let value): url = value
                case .failure(let error):
                    results[index] = .failure(error)
                    continue
                }
                guard visited[index].insert(url.absoluteString).inserted else {
                    results[index] = .failure(
                        GraphFailure.badBody(what, "a next link that leads back to a page already read").error)
                    continue
                }
                guard pages < Self.maxPages else {
                    results[index] = .failure(GraphFailure.badBody(what, "more than \(Self.maxPages) pages").error)
                    continue
                }
                guard let relative = relativePath(of: url, version: version) else {
                    // A link into another API version: read the rest of this one on its own.
                    let remaining = await allPages(from: url, what: what)
                    results[index] = remaining.map { items[index] + $0 }
                    items[index] = []
                    continue
                }
                next.append((index, BatchGET(relative: relative, what: what)))
            }
            round = next
        }
        return results.map { $0 ?? .failure(.failed("a collection was not read", code: "INTERNAL_ERROR")) }
    }

    /// The part of a Graph URL after `{graph}/{version}/`, as sent (percent-encoding kept); nil
    /// when the URL is not below that version.
    func relativePath(of url: URL, version: String) -> String? {
        let prefix = Self.trimmingSlashes(connection.graphURL.absoluteString) + "/" + version + "/"
        let text = url.absoluteString
        guard text.hasPrefix(prefix), text.count > prefix.count else { return nil }
        return String(text.dropFirst(prefix.count))
    }

    /// A Graph id as one percent-encoded path segment.
    static func pathSegment(_ id: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }

    /// A query parameter value, percent-encoded.
    static func queryValue(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
