import Foundation

/// What the listing of one type found, kept for its capture: which of the type's sources listed
/// each policy, and which expansions each source's listing answered (the others are read per
/// policy).
struct ListingMemo: Sendable {
    /// Index into `type.sources` by Graph id.
    var sourceOf: [String: Int] = [:]
    /// Properties each source's listing expanded, by source index.
    var expanded: [Int: Set<String>] = [:]
}

extension URLSessionGraphClient {
    /// Lists every source of the type at once (its collection, and its typed collections), with
    /// `$top` and the expansions the registry allows, following every page. A listing that
    /// refuses its expansions (400) is read again without the nested ones, then without any,
    /// the sub-resources not expanded then read per policy; one that refuses `$top` is read
    /// again without. A typed collection this Graph does
    /// not have (404, or 400 for an unknown segment) is left out: the base collection lists its
    /// policies too. A policy listed by a typed collection and by the base is kept once, as the
    /// typed collection lists it.
    public func listPolicies(of type: PolicyType) async throws(TenantPilotError) -> [JSONValue] {
        let sources = type.sources
        var expansions = sources.map { options.listExpansions ? $0.listExpansions : [] }
        var tops = sources.map(\.listTop)
        var listed: [Int: [JSONValue]] = [:]
        var pending = Array(sources.indices)
        while !pending.isEmpty {
            let reads = pending.map { index in
                GraphRead(
                    get: GraphGET(
                        version: type.graphVersion,
                        relative: Self.relative(
                            sources[index].path, expand: expansions[index].map(\.expansionClause), top: tops[index]),
                        what: "\(type.label) (\(sources[index].path))", limit: type.requestLimit),
                    shape: .collection)
            }
            let results = await read(reads)
            var again: [Int] = []
            for (index, result) in zip(pending, results) {
                switch result {
                case .success(let value):
                    listed[index] = value.elements
                case .failure(let failure) where failure.status == 400 && !expansions[index].isEmpty:
                    // First without the nested expansions (Graph may allow only one level), then none.
                    let flat = expansions[index].filter { $0.expand == nil }
                    expansions[index] = flat.count < expansions[index].count ? flat : []
                    again.append(index)
                case .failure(let failure) where failure.status == 400 && tops[index] != nil:
                    tops[index] = nil
                    again.append(index)
                case .failure(let failure)
                where sources[index].odataType != nil && (failure.status == 404 || failure.status == 400):
                    continue
                case .failure(let failure):
                    throw Self.naming(permissions: type, in: failure.error)
                }
            }
            pending = again
        }

        var memo = ListingMemo()
        var items: [JSONValue] = []
        for index in sources.indices {
            memo.expanded[index] = Set(expansions[index].map(\.property))
            for item in listed[index] ?? [] {
                guard let id = item["id"]?.stringValue, !id.isEmpty else {
                    items.append(item)
                    continue
                }
                guard memo.sourceOf[id] == nil else { continue }
                memo.sourceOf[id] = index
                items.append(item)
            }
        }
        listings.withLock { $0[type.key] = memo }
        return items
    }

    /// A 403 names the application permission the type needs, from the registry.
    static func naming(permissions type: PolicyType, in error: TenantPilotError) -> TenantPilotError {
        guard error.code == .graphForbidden, let permission = type.permissions?.read else { return error }
        return .failed(
            "\(error.message) (reading \(type.key) needs the application permission \(permission))", code: error.code)
    }
}
