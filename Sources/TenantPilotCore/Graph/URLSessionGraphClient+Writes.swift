import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension URLSessionGraphClient: GraphWriting {
    public func send(_ write: GraphWrite) async throws(TenantPilotError) -> JSONValue {
        let url = try graphURL(version: write.version, path: write.path)
        let body = write.body?.canonicalData()
        let result = await withRetries { () async -> Result<JSONValue, GraphFailure> in
            switch await writeOnce(write, method: write.method, url: url, body: body) {
            case .failure(let failure) where failure.status == 405 && write.fallbackMethod != nil:
                return await writeOnce(write, method: write.fallbackMethod ?? write.method, url: url, body: body)
                    .mapError(\.failure)
            case let other:
                return other.mapError(\.failure)
            }
        }
        return try result.get()
    }

    public func read(_ paths: [String], version: String) async -> [Result<JSONValue, TenantPilotError>] {
        let requests = paths.map { path in
            GraphGET(
                version: version, relative: path, what: path.split(separator: "?").first.map(String.init) ?? path,
                limit: .intune)
        }
        return await batchedGETs(requests).map { $0.mapError(\.error) }
    }

    /// A failed attempt and the HTTP status that caused it (nil for a transport failure).
    struct WriteFailure: Error {
        let failure: GraphFailure
        let status: Int?
    }

    /// One attempt of a write.
    private func writeOnce(_ write: GraphWrite, method: String, url: URL, body: Data?) async -> Result<
        JSONValue, WriteFailure
    > {
        let token: String
        switch await accessToken() {
        case .success(let value): token = value
        case .failure(let error): return .failure(WriteFailure(failure: GraphFailure(final: error), status: nil))
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let reply: HTTPReply
        // Paced as a write: it waits for the tenant's budget (100 writes per 20 s per app).
        switch await sendPaced(request, kind: .write, what: write.what, cost: .write(write.limit)) {
        case .success(let value): reply = value
        case .failure(var failure):
            // The request may have been carried out before the connection failed.
            if !write.idempotent { failure.retry = .never }
            return .failure(WriteFailure(failure: failure, status: nil))
        }
        let parsed = reply.body.isEmpty ? nil : try? JSONValue.parse(reply.body)
        if var failure = GraphFailure.forStatus(
            reply.status, what: write.what, body: parsed, retryAfter: retryAfter(reply.retryAfter))
        {
            if reply.status == 403, let permission = write.permission {
                failure.error = .failed(
                    "\(failure.error.message) (a restore of this type needs the application permission \(permission))",
                    code: failure.error.code)
            }
            // Only 429 and 503 say the write was not done; anything else is final for a create.
            if !write.idempotent, reply.status != 429, reply.status != 503 { failure.retry = .never }
            return .failure(WriteFailure(failure: failure, status: reply.status))
        }
        if reply.body.isEmpty { return .success(.null) }
        guard let parsed else {
            return .failure(
                WriteFailure(failure: .badBody(write.what, "a body that is not valid JSON"), status: reply.status))
        }
        return .success(parsed)
    }
}
