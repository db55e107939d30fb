import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What a read expects back: one entity (a policy by id) or a collection (all its pages).
enum ReadShape: Sendable {
    case entity
    case collection
}

/// One read of the paging engine.
struct GraphRead: Sendable {
    let get: GraphGET
    let shape: ReadShape
}

/// What a read returned: the entity, or every element of every page of the collection.
enum ReadResult: Sendable {
    case entity(JSONValue)
    case collection([JSONValue])

    var elements: [JSONValue] {
        switch self {
        case .entity(let value): [value]
        case .collection(let values): values
        }
    }
}

/// The one paging engine: every listing, sub-resource, expansion continuation and GET by id
/// goes through `read`.
extension URLSessionGraphClient {
    /// A collection never has more elements than this, so that one collection cannot grow a
    /// run's memory without bound (its pages are bounded by `GraphClientOptions.maxPages`).
    static let maxItems = 500_000

    /// Reads entities and whole collections. Pages are read in rounds: the first page of every
    /// collection (and every entity), then the next page of every collection that has one, …
    /// each round in `$batch`es of up to 20, so that a hundred long collections cost a few
    /// batches per round rather than a hundred GETs one after another. Next links are followed
    /// only on this connection's Graph origin; a link back to a page already read, or more than
    /// `maxPages` pages, fails the read.
    func read(_ reads: [GraphRead]) async -> [Result<ReadResult, GraphFailure>] {
        var results = [Result<ReadResult, GraphFailure>?](repeating: nil, count: reads.count)
        var items = [[JSONValue]](repeating: [], count: reads.count)
        var visited = reads.map { read -> Set<String> in [read.get.version + "/" + read.get.relative] }
        var pages = [Int](repeating: 0, count: reads.count)
        var round: [(index: Int, get: GraphGET)] = reads.enumerated().map { ($0.offset, $0.element.get) }
        while !round.isEmpty {
            let fetched = await batchedGETs(round.map(\.get))
            var next: [(index: Int, get: GraphGET)] = []
            for (entry, outcome) in zip(round, fetched) {
                let index = entry.index
                let what = reads[index].get.what
                let page: JSONValue
                switch outcome {
                case .failure(let failure):
                    results[index] = .failure(failure)
                    continue
                case .success(let value): page = value
                }
                if reads[index].shape == .entity {
                    results[index] =
                        page.objectValue == nil
                        ? .failure(.badBody(what, "the answer is not a JSON object")) : .success(.entity(page))
                    continue
                }
                guard let values = page["value"]?.arrayValue else {
                    results[index] = .failure(.badBody(what, "a collection page without a value array"))
                    continue
                }
                items[index].append(contentsOf: values)
                guard items[index].count <= Self.maxItems else {
                    results[index] = .failure(.badBody(what, "more than \(Self.maxItems) elements"))
                    items[index] = []
                    continue
                }
                // An explicit `null` next link ends the collection, as an absent one does.
                guard let link = page["@odata.nextLink"], link != .null else {
                    results[index] = .success(.collection(items[index]))
                    items[index] = []
                    continue
                }
                pages[index] += 1
                guard pages[index] < options.maxPages else {
                    results[index] = .failure(.badBody(what, "more than \(options.maxPages) pages"))
                    continue
                }
                switch continuation(link, limit: entry.get.limit, what: what) {
                case .failure(let failure):
                    results[index] = .failure(failure)
                case .success(let get):
                    guard visited[index].insert(get.version + "/" + get.relative).inserted else {
                        results[index] = .failure(.badBody(what, "a next link that leads back to a page already read"))
                        continue
                    }
                    next.append((index, get))
                }
            }
            round = next
        }
        return results.enumerated().map { index, result in
            result
                ?? .failure(
                    GraphFailure(final: .failed("\(reads[index].get.what) was not read", code: .internalError)))
        }
    }

    /// The GET a next link (`@odata.nextLink`, `assignments@odata.nextLink`) stands for: only on
    /// this connection's Graph origin, below one of its API versions.
    func continuation(_ link: JSONValue, limit: RequestLimit, what: String) -> Result<GraphGET, GraphFailure> {
        let url: URL
        switch nextLinkURL(link, what: what) {
        case .success(let value): url = value
        case .failure(let error): return .failure(GraphFailure(error.code, error.message, retry: .never))
        }
        let prefix = Self.trimmingSlashes(connection.graphURL.absoluteString) + "/"
        let text = url.absoluteString
        guard text.hasPrefix(prefix) else {
            return .failure(.badBody(what, "a next link outside \(prefix)"))
        }
        let rest = text.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/"), slash > rest.startIndex else {
            return .failure(.badBody(what, "a next link without an API version"))
        }
        let version = String(rest[..<slash])
        let relative = String(rest[rest.index(after: slash)...])
        guard !relative.isEmpty, !version.contains("?") else {
            return .failure(.badBody(what, "a next link without a resource path"))
        }
        return .success(GraphGET(version: version, relative: relative, what: what, limit: limit))
    }

    /// `{graph}/{version}/{relative}`; `relative` is already percent-encoded.
    func graphURL(version: String, path relative: String) throws(TenantPilotError) -> URL {
        let base = Self.trimmingSlashes(connection.graphURL.absoluteString)
        guard let url = URL(string: "\(base)/\(version)/\(relative)") else {
            throw .failed("cannot form a Graph URL for \(relative)", code: .graphBadResponse)
        }
        return url
    }

    /// One authorised GET, retried per the policy, returning the parsed JSON body.
    func getJSON(_ url: URL, what: String, limit: RequestLimit = .intune) async -> Result<JSONValue, TenantPilotError> {
        await withRetries { await getOnce(url, what: what, limit: limit) }
    }

    /// One attempt of an authorised GET, within the tenant's budget.
    func getOnce(_ url: URL, what: String, limit: RequestLimit) async -> Result<JSONValue, GraphFailure> {
        let token: String
        switch await accessToken() {
        case .success(let value): token = value
        case .failure(let error): return .failure(GraphFailure(final: error))
        }
        var request = URLRequest(url: url)
        request.httpMethod = "GET"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let reply: HTTPReply
        switch await sendPaced(request, kind: .get, what: what, cost: .read(limit)) {
        case .success(let value): reply = value
        case .failure(let failure): return .failure(failure)
        }
        let body = try? JSONValue.parse(reply.body)
        if let failure = GraphFailure.forStatus(
            reply.status, what: what, body: body, retryAfter: retryAfter(reply.retryAfter))
        {
            return .failure(failure)
        }
        guard let body else {
            return .failure(.badBody(what, reply.body.isEmpty ? "an empty body" : "a body that is not valid JSON"))
        }
        return .success(body)
    }

    /// A next link, accepted only on the Graph host of this connection: the bearer token must
    /// never be sent anywhere else.
    func nextLinkURL(_ link: JSONValue, what: String) -> Result<URL, TenantPilotError> {
        guard let text = link.stringValue, let url = URL(string: text), let host = url.host else {
            return .failure(GraphFailure.badBody(what, "a next link that is not a URL").error)
        }
        let base = connection.graphURL
        guard host.lowercased() == base.host?.lowercased(), url.port == base.port else {
            return .failure(
                GraphFailure.badBody(what, "a next link to another host (\(PlainText.escaped(host)))").error)
        }
        // Graph writes its links in canonical form; a scheme written otherwise (`HTTP://`) is
        // refused as an unusable answer rather than sent somewhere URLSession cannot go.
        guard url.scheme == base.scheme?.lowercased() else {
            let scheme = PlainText.escaped(url.scheme ?? "")
            return .failure(
                GraphFailure.badBody(
                    what, "a next link with the scheme \(scheme):// instead of \(base.scheme ?? "")://"
                ).error)
        }
        return .success(url)
    }

    // MARK: - Query building

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

    /// `path?$expand=…&$top=…`, the options left out when nil or empty.
    static func relative(_ path: String, expand: [String] = [], top: Int? = nil) -> String {
        var query: [String] = []
        if !expand.isEmpty { query.append("$expand=" + queryValue(expand.joined(separator: ","))) }
        if let top { query.append("$top=\(top)") }
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }
}
