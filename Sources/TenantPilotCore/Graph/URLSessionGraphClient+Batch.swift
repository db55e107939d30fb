import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One GET below a Graph version (`deviceManagement/…/{id}/settings?$expand=…`, already
/// percent-encoded), carried in a JSON `$batch` when there are several.
struct GraphGET: Sendable, Hashable {
    /// `v1.0` or `beta`.
    let version: String
    /// Path and query below the version.
    let relative: String
    /// What the request reads, for error messages.
    let what: String
    /// The limit it counts against.
    let limit: RequestLimit
}

extension URLSessionGraphClient {
    /// Runs GETs in batches of up to `batchSize` (a lone one as a plain GET), one batch per API
    /// version and limit. Sub-requests that fail transiently (429 with `Retry-After`, 503, …)
    /// are retried on their own in a later batch; the others keep their result. Results are in
    /// the order of `requests`; a failure is final.
    func batchedGETs(_ requests: [GraphGET]) async -> [Result<JSONValue, GraphFailure>] {
        var results = [Result<JSONValue, GraphFailure>?](repeating: nil, count: requests.count)
        var attempts = [Int](repeating: 0, count: requests.count)
        var pending = Array(requests.indices)
        while !pending.isEmpty {
            var groups: [String: [Int]] = [:]
            var order: [String] = []
            for index in pending {
                let key = "\(requests[index].version) \(requests[index].limit.rawValue)"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(index)
            }
            var chunks: [[(Int, GraphGET)]] = []
            for key in order {
                let members = groups[key] ?? []
                guard let first = members.first else { continue }
                // A batch never carries more than the limit lets through at once.
                let size = max(1, min(options.batchSize, pacer.limits.capacity(of: requests[first].limit) - 1))
                for start in stride(from: 0, to: members.count, by: size) {
                    chunks.append(members[start..<min(start + size, members.count)].map { ($0, requests[$0]) })
                }
            }
            let outcomes = await withTaskGroup(of: [(Int, Result<JSONValue, GraphFailure>)].self) { group in
                for chunk in chunks {
                    group.addTask { await self.runChunk(chunk) }
                }
                var all: [(Int, Result<JSONValue, GraphFailure>)] = []
                for await part in group { all.append(contentsOf: part) }
                return all
            }
            var retry: [Int] = []
            var wait = Duration.zero
            var throttled: [RequestLimit: Duration] = [:]
            for (index, outcome) in outcomes {
                attempts[index] += 1
                switch outcome {
                case .success(let value):
                    results[index] = .success(value)
                case .failure(let failure):
                    if options.retry.allowsRetry(after: attempts[index], of: failure) {
                        retry.append(index)
                        let delay = options.retry.delay(after: attempts[index], retryAfter: failure.retryAfter)
                        wait = max(wait, delay)
                        if failure.status == 429 {
                            throttled[requests[index].limit] = max(throttled[requests[index].limit] ?? .zero, delay)
                        }
                    } else {
                        results[index] = .failure(failure.finalFailure(attempts: attempts[index]))
                    }
                }
            }
            pending = []
            guard !retry.isEmpty else { break }
            // Throttled sub-requests hold back every request of their limit, not only their own.
            for (limit, delay) in throttled { await pacer.holdOff(limit, for: delay) }
            if await pause(wait) {
                pending = retry.sorted()
            } else {
                for index in retry {
                    if case .failure(let failure)? = outcomes.first(where: { $0.0 == index })?.1 {
                        results[index] = .failure(failure.finalFailure(attempts: attempts[index]))
                    }
                }
            }
        }
        return results.enumerated().map { index, result in
            result
                ?? .failure(
                    GraphFailure(final: .failed("no result for \(requests[index].what)", code: .internalError)))
        }
    }

    /// One attempt of each request of a chunk: a plain GET for one request, a `$batch` for more.
    private func runChunk(_ chunk: [(Int, GraphGET)]) async -> [(Int, Result<JSONValue, GraphFailure>)] {
        if chunk.count == 1, let (index, request) = chunk.first {
            do {
                let url = try graphURL(version: request.version, path: request.relative)
                return [(index, await getOnce(url, what: request.what, limit: request.limit))]
            } catch {
                return [(index, .failure(GraphFailure(final: error)))]
            }
        }
        switch await sendBatch(chunk.map(\.1)) {
        case .failure(let error):
            return chunk.map { ($0.0, .failure(GraphFailure(final: error))) }
        case .success(let responses):
            return chunk.enumerated().map { position, entry in
                let (index, request) = entry
                guard let response = responses[String(position + 1)] else {
                    return (index, .failure(.badBody(request.what, "the batch response has no answer to it")))
                }
                return (index, subResult(response, what: request.what))
            }
        }
    }

    /// POST `{graph}/{version}/$batch`; the whole batch is retried when the batch request itself
    /// fails. Returns the sub-responses by id.
    private func sendBatch(_ requests: [GraphGET]) async -> Result<[String: JSONValue], TenantPilotError> {
        guard let first = requests.first else { return .success([:]) }
        let url: URL
        do {
            url = try graphURL(version: first.version, path: "$batch")
        } catch {
            return .failure(error)
        }
        let body = JSONValue.object([
            "requests": .array(
                requests.enumerated().map { position, request in
                    .object([
                        "id": .string(String(position + 1)), "method": .string("GET"),
                        "url": .string("/" + request.relative),
                        "headers": .object(["Accept": .string("application/json")]),
                    ])
                })
        ]).canonicalData()
        let what = "a batch of \(requests.count) requests (\(first.what)…)"
        // Graph counts every sub-request; the batch itself is counted too, to be safe.
        let cost = GraphRequestCost(limit: first.limit, requests: requests.count + 1)
        return await withRetries { () async -> Result<[String: JSONValue], GraphFailure> in
            let token: String
            switch await accessToken() {
            case .success(let value): token = value
            case .failure(let error): return .failure(GraphFailure(final: error))
            }
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            counts.withLock { $0.batchedRequests += requests.count }
            let reply: HTTPReply
            switch await sendPaced(request, kind: .batch, what: what, cost: cost) {
            case .success(let value): reply = value
            case .failure(let failure): return .failure(failure)
            }
            let parsed = try? JSONValue.parse(reply.body)
            if let failure = GraphFailure.forStatus(
                reply.status, what: what, body: parsed, retryAfter: retryAfter(reply.retryAfter))
            {
                return .failure(failure)
            }
            guard let responses = parsed?["responses"]?.arrayValue else {
                return .failure(
                    .badBody(what, reply.body.isEmpty ? "an empty body" : "a body that is not a batch response"))
            }
            var byID: [String: JSONValue] = [:]
            for response in responses {
                if let id = response["id"]?.stringValue { byID[id] = response }
            }
            return .success(byID)
        }
    }

    /// Classifies one sub-response of a batch like a plain response, `Retry-After` included.
    private func subResult(_ response: JSONValue, what: String) -> Result<JSONValue, GraphFailure> {
        let status: Int
        switch response["status"] {
        // Whatever number the server wrote (1e30 included), never a trap: outside 100…999 it is 0,
        // which no branch below accepts.
        case .int(let value)?: status = (100...999).contains(value) ? Int(value) : 0
        case .double(let value)?: status = Int(exactly: value).map { (100...999).contains($0) ? $0 : 0 } ?? 0
        case .string(let text)?: status = Int(text).map { (100...999).contains($0) ? $0 : 0 } ?? 0
        default: return .failure(.badBody(what, "a batch answer without a status"))
        }
        var retryAfterValue: String?
        if let headers = response["headers"]?.objectValue {
            for (name, value) in headers where name.lowercased() == "retry-after" {
                switch value {
                case .string(let text): retryAfterValue = text
                case .int(let seconds): retryAfterValue = String(seconds)
                default: break
                }
            }
        }
        let body = response["body"]
        if status == 429 { counts.withLock { $0.throttled += 1 } }
        if let failure = GraphFailure.forStatus(status, what: what, body: body, retryAfter: retryAfter(retryAfterValue))
        {
            return .failure(failure)
        }
        guard let body, body.objectValue != nil else {
            return .failure(.badBody(what, "a batch answer without a JSON body"))
        }
        return .success(body)
    }
}
