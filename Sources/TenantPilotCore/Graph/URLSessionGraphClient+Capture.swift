import Foundation

extension URLSessionGraphClient {
    public func capturePolicies(of type: PolicyType, listed: [JSONValue]) async -> [String: Result<JSONValue, TenantPilotError>] {
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
            ? batchedGETs(zip(ids, owners).map { BatchGET(relative: $1, what: "\(type.label) \($0)") }, version: version)
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
                payloads[id] = .failure(GraphFailure.badBody("\(type.label) \(id)", "the policy is not a JSON object").error)
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
        var elements: [[[JSONValue]]] = Array(repeating: Array(repeating: [], count: subresources.count), count: owners.count)
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
                        failures[owner] = GraphFailure.badBody(
                            "\(owners[owner])/\(subresource.path)", "an element without an id").error
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

    /// Every element of each collection: first pages batched, next links followed one by one.
    func collections(_ requests: [BatchGET], version: String) async -> [Result<[JSONValue], TenantPilotError>] {
        let firsts = await batchedGETs(requests, version: version)
        var results = [Result<[JSONValue], TenantPilotError>?](repeating: nil, count: requests.count)
        await withTaskGroup(of: (Int, Result<[JSONValue], TenantPilotError>).self) { group in
            for (index, first) in firsts.enumerated() {
                switch first {
                case .failure(let error):
                    results[index] = .failure(error)
                case .success(let page):
                    let request = requests[index]
                    let url = try? graphURL(version: version, path: request.relative)
                    if page["@odata.nextLink"] == nil, let values = page["value"]?.arrayValue {
                        results[index] = .success(values)
                    } else {
                        group.addTask { (index, await self.remainingPages(after: page, of: url, what: request.what)) }
                    }
                }
            }
            for await (index, result) in group { results[index] = result }
        }
        return results.map { $0 ?? .failure(.failed("a collection was not read", code: "INTERNAL_ERROR")) }
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
