import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension URLSessionGraphClient {
    /// One GET below a Graph version (`deviceManagement/…/{id}/settings?$expand=…`, already
    /// percent-encoded), carried in a JSON `$batch` when there are several.
    struct BatchGET: Sendable {
        let relative: String
        /// What the request reads, for error messages.
        let what: String
    }

    /// Runs GETs in batches of up to `batchSize` (a lone one as a plain GET). Sub-requests that
    /// fail transiently (429 with `Retry-After`, 503, …) are retried on their own in a later
    /// batch; the others keep their result. Results are in the order of `requests`.
    func batchedGETs(_ requests: [BatchGET], version: String) async -> [Result<JSONValue, TenantPilotError>] {
        var results = [Result<JSONValue, TenantPilotError>?](repeating: nil, count: requests.count)
        var attempts = [Int](repeating: 0, count: requests.count)
        var pending = Array(requests.indices)
        let size = options.batchSize
        while !pending.isEmpty {
            let chunks = stride(from: 0, to: pending.count, by: size).map {
                pending[$0..<min($0 + size, pending.count)].map { ($0, requests[$0]) }
            }
            let outcomes = await withTaskGroup(of: [(Int, Result<JSONValue, GraphFailure>)].self) { group in
                for chunk in chunks {
                    group.addTask { await self.runChunk(chunk, version: version) }
                }
                var all: [(Int, Result<JSONValue, GraphFailure>)] = []
                for await part in group { all.append(contentsOf: part) }
                return all
            }
            var retry: [(Int, GraphFailure)] = []
            var wait = Duration.zero
            for (index, outcome) in outcomes {
                attempts[index] += 1
                switch outcome {
                case .success(let value):
                    results[index] = .success(value)
                case .failure(let failure):
                    if options.retry.allowsRetry(after: attempts[index], of: failure) {
                        retry.append((index, failure))
                        wait = max(wait, options.retry.delay(after: attempts[index], retryAfter: failure.retryAfter))
                    } else {
                        results[index] = .failure(failure.final(attempts: attempts[index]))
                    }
                }
            }
            pending = []
            guard !retry.isEmpty else { break }
            if await pause(wait) {
                pending = retry.map(\.0).sorted()
            } else {
                for (index, failure) in retry { results[index] = .failure(failure.final(attempts: attempts[index])) }
            }
        }
        return results.enumerated().map { index, result in
            result ?? .failure(.failed("no result for \(requests[index].what)", code: "INTERNAL_ERROR"))
        }
    }

    /// One attempt of each request of a chunk: a plain GET for one request, a `$batch` for more.
    private func runChunk(_ chunk: [(Int, BatchGET)], version: String) async -> [(Int, Result<JSONValue, GraphFailure>)]
    {
        if chunk.count == 1, let (index, request) = chunk.first {
            do {
                let url = try graphURL(version: version, path: request.relative)
                return [(index, await getOnce(url, what: request.what))]
            } catch {
                return [(index, .failure(GraphFailure(final: error)))]
            }
        }
        switch await sendBatch(chunk.map(\.1), version: version) {
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
    private func sendBatch(_ requests: [BatchGET], version: String) async -> Result<
        [String: JSONValue], TenantPilotError
    > {
        let url: URL
        do {
            url = try graphURL(version: version, path: "$batch")
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
        let what = "a batch of \(requests.count) requests (\(requests.first?.what ?? "")…)"
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
            switch await send(request, kind: .batch, what: what) {
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
        case .int(let value)?: status = Int(value)
        case .double(let value)?: status = Int(value)
        case .string(let text)?: status = Int(text) ?? 0
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
