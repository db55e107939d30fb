import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension URLSessionGraphClient {
    /// A collection never has more pages than this; a server that keeps sending next links past
    /// it is treated as broken, so a run always ends.
    static let maxPages = 100_000

    public func listPolicies(of type: PolicyType) async throws(TenantPilotError) -> [JSONValue] {
        let url = try graphURL(version: type.graphVersion, path: type.collectionPath)
        return try await allPages(from: url, what: "\(type.label) (\(type.collectionPath))").get()
    }

    /// `{graph}/{version}/{relative}`; `relative` is already percent-encoded.
    func graphURL(version: String, path relative: String) throws(TenantPilotError) -> URL {
        let base = Self.trimmingSlashes(connection.graphURL.absoluteString)
        guard let url = URL(string: "\(base)/\(version)/\(relative)") else {
            throw .failed("cannot form a Graph URL for \(relative)", code: GraphErrorCode.badResponse)
        }
        return url
    }

    /// One authorised GET, retried per the policy, returning the parsed JSON body.
    func getJSON(_ url: URL, what: String) async -> Result<JSONValue, TenantPilotError> {
        await withRetries { await getOnce(url, what: what) }
    }

    /// One attempt of an authorised GET.
    func getOnce(_ url: URL, what: String) async -> Result<JSONValue, GraphFailure> {
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
        switch await send(request, kind: .get, what: what) {
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

    /// Every element of a collection, following `@odata.nextLink` to the end.
    func allPages(from url: URL, what: String) async -> Result<[JSONValue], TenantPilotError> {
        switch await getJSON(url, what: what) {
        case .failure(let error): return .failure(error)
        case .success(let page): return await remainingPages(after: page, of: url, what: what)
        }
    }

    /// The elements of `page` and of every page its next links lead to.
    func remainingPages(after first: JSONValue, of url: URL?, what: String) async -> Result<
        [JSONValue], TenantPilotError
    > {
        var items: [JSONValue] = []
        var page = first
        var visited: Set<String> = url.map { [$0.absoluteString] } ?? []
        for _ in 0..<Self.maxPages {
            guard let values = page["value"]?.arrayValue else {
                return .failure(GraphFailure.badBody(what, "a collection page without a value array").error)
            }
            items.append(contentsOf: values)
            guard let link = page["@odata.nextLink"] else { return .success(items) }
            let next: URL
            switch nextLinkURL(link, what: what) {
            case .success(let value): next = value
            case .failure(let error): return .failure(error)
            }
            guard visited.insert(next.absoluteString).inserted else {
                return .failure(GraphFailure.badBody(what, "a next link that leads back to a page already read").error)
            }
            switch await getJSON(next, what: what) {
            case .success(let value): page = value
            case .failure(let error): return .failure(error)
            }
        }
        return .failure(GraphFailure.badBody(what, "more than \(Self.maxPages) pages").error)
    }

    /// A next link, accepted only on the Graph host of this connection: the bearer token must
    /// never be sent anywhere else.
    func nextLinkURL(_ link: JSONValue, what: String) -> Result<URL, TenantPilotError> {
        guard let text = link.stringValue, let url = URL(string: text), let host = url.host else {
            return .failure(GraphFailure.badBody(what, "a next link that is not a URL").error)
        }
        let base = connection.graphURL
        guard url.scheme?.lowercased() == base.scheme?.lowercased(), host.lowercased() == base.host?.lowercased(),
            url.port == base.port
        else {
            return .failure(GraphFailure.badBody(what, "a next link to another host (\(host))").error)
        }
        return .success(url)
    }
}
