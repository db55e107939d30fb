import FlyingFox
import FlyingSocks
import Foundation
import TenantPilotCore

/// Serves the simulator's HTTP: the token endpoint, Graph collections (paged), GET by id,
/// sub-resources with `$expand`, JSON `$batch`, and the `/_simulator/` control endpoints.
struct SimulatorHandler: HTTPHandler {
    let state: SimulatorState

    /// One answer to a Graph request, before it becomes HTTP (or a `$batch` sub-response).
    struct Reply: Error {
        var status: Int
        var headers: [String: String] = [:]
        var body: JSON?
        /// A fault that spoils the body or the connection (plain responses only).
        var bodyFault: SimulatedFault?
    }

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.path
        if path.hasPrefix("/_simulator/") || path == "/_simulator" {
            return await SimulatorControl(state: state).handle(request)
        }
        if state.configuration.latency > .zero {
            try? await Task.sleep(for: state.configuration.latency)
        }
        state.count { $0.http += 1 }
        let segments = path.split(separator: "/").map(String.init)
        if request.method == .POST, segments.count == 4, segments[1] == "oauth2", segments[2] == "v2.0",
            segments[3] == "token"
        {
            return render(await token(tenant: segments[0], request: request))
        }
        if request.method == .POST, segments.count == 2, segments[1] == "$batch" {
            return render(await batch(version: segments[0], request: request))
        }
        if request.method == .GET, segments.count >= 2 {
            let query = Dictionary(request.query.map { ($0.name, $0.value) }) { first, _ in first }
            switch authorise(request.headers[HTTPHeader("Authorization")]) {
            case .failure(let reply): return render(reply)
            case .success(let tenant): return render(graph(tenant: tenant, segments: segments, query: query))
            }
        }
        return render(Self.error(404, "NotFound", "The simulator has no resource at \(path)"))
    }

    // MARK: - Token endpoint

    private func token(tenant: String, request: HTTPRequest) async -> Reply {
        state.count { $0.token += 1 }
        if let fault = state.takeFault({ $0 == .token }) {
            return faultReply(fault, tokenEndpoint: true)
        }
        let body = (try? await request.bodyData) ?? Data()
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let value = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]
            form[parts[0]] = value
        }
        guard form["grant_type"] == "client_credentials" else {
            return Self.oauthError(
                400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        }
        guard state.hasTenant(tenant) else {
            return Self.oauthError(400, "invalid_request", "AADSTS90002: Tenant '\(tenant)' not found.")
        }
        if let expected = state.configuration.clientID, form["client_id"] != expected {
            return Self.oauthError(
                400, "unauthorized_client", "AADSTS700016: Application with identifier was not found in the directory.")
        }
        guard form["client_secret"] == state.configuration.clientSecret else {
            return Self.oauthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        }
        guard let scope = form["scope"], scope.hasSuffix("/.default") else {
            return Self.oauthError(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        }
        let token = state.issueToken(tenant: tenant, now: Date())
        let lifetime = Int64(state.configuration.tokenLifetime)
        return Reply(
            status: 200,
            body: .object([
                "token_type": .string("Bearer"), "expires_in": .int(lifetime), "ext_expires_in": .int(lifetime),
                "access_token": .string(token),
            ]))
    }

    private func authorise(_ header: String?) -> Result<String, Reply> {
        guard let header, header.hasPrefix("Bearer "),
            let tenant = state.tenant(forToken: String(header.dropFirst("Bearer ".count)), now: Date())
        else {
            return .failure(Self.error(401, "InvalidAuthenticationToken", "Access token is empty, invalid or expired."))
        }
        return .success(tenant)
    }

    // MARK: - Graph

    /// Where a Graph path leads.
    private enum Resource {
        case collection(PolicyType)
        case policy(PolicyType, String)
        case subresource(PolicyType, policyID: String, trail: [(path: String, id: String?)])
    }

    private func resolve(_ segments: [String]) -> (Resource, PolicyType)? {
        let version = segments[0]
        let rest = segments.dropFirst()
        for type in state.types where type.graphVersion == version {
            let collection = type.collectionPath.split(separator: "/").map(String.init)
            guard rest.count >= collection.count, Array(rest.prefix(collection.count)) == collection else { continue }
            let tail = Array(rest.dropFirst(collection.count))
            if tail.isEmpty { return (.collection(type), type) }
            if tail.count == 1 { return (.policy(type, tail[0]), type) }
            // {id}/{sub}[/{elementID}/{child}]…
            var trail: [(path: String, id: String?)] = []
            var index = 1
            while index < tail.count {
                trail.append((tail[index], index + 1 < tail.count ? tail[index + 1] : nil))
                index += 2
            }
            if trail.last?.id != nil { return nil }
            return (.subresource(type, policyID: tail[0], trail: trail), type)
        }
        return nil
    }

    /// Answers one Graph GET (plain or inside a batch), counting it and applying faults.
    func graph(tenant: String, segments: [String], query: [String: String]) -> Reply {
        let path = "/" + segments.joined(separator: "/")
        let resolved = resolve(segments)
        state.count { counts in
            counts.graph += 1
            counts.byPath[path, default: 0] += 1
            switch resolved?.0 {
            case .collection?: counts.list += 1
            case .policy?: counts.getByID += 1
            case .subresource?: counts.subresource += 1
            case nil: break
            }
        }
        let fault = state.takeFault { target in
            switch target {
            case .token, .batch: return false
            case .anyGraphRequest: return true
            case .pathContaining(let text): return path.contains(text)
            case .type(let key): return resolved?.1.key == key
            case .collection(let key):
                if case .collection(let type)? = resolved?.0 { return type.key == key }
                return false
            }
        }
        if let fault {
            var reply = faultReply(fault, tokenEndpoint: false)
            if reply.bodyFault != nil {
                reply.body =
                    resolved.map { answer($0.0, tenant: tenant, path: path, query: query).body ?? .null } ?? .null
            }
            return reply
        }
        guard let (resource, _) = resolved else {
            return Self.error(400, "BadRequest", "Resource not found for the segment in \(path).")
        }
        return answer(resource, tenant: tenant, path: path, query: query)
    }

    private func answer(_ resource: Resource, tenant: String, path: String, query: [String: String]) -> Reply {
        switch resource {
        case .collection(let type):
            let items = (state.policies(tenant: tenant, type: type.key) ?? []).map(\.listed)
            return page(items, path: path, query: query)
        case .policy(let type, let id):
            guard let policy = state.policies(tenant: tenant, type: type.key)?.first(where: { $0.id == id }) else {
                return Self.error(404, "ResourceNotFound", "Resource not found: \(id)")
            }
            var body = policy.detailed
            if case .object(var object) = body {
                object["@odata.context"] = .string(
                    "\(state.baseURL)/\(type.graphVersion)/$metadata#\(type.collectionPath)/$entity")
                body = .object(object)
            }
            return Reply(status: 200, body: body)
        case .subresource(let type, let policyID, let trail):
            guard let policy = state.policies(tenant: tenant, type: type.key)?.first(where: { $0.id == policyID })
            else {
                return Self.error(404, "ResourceNotFound", "Resource not found: \(policyID)")
            }
            var elements: [SimulatedElement]? = policy.subresources[trail[0].path]
            for step in trail.indices.dropFirst() {
                let parentID = trail[step - 1].id
                elements = elements?.first { $0.id == parentID }?.children[trail[step].path]
            }
            guard let elements else {
                return Self.error(400, "BadRequest", "Resource not found for the segment \(trail.last?.path ?? "")")
            }
            let expand = Set(
                (query["$expand"] ?? "").split(separator: ",").map {
                    String($0.split(separator: "(").first ?? "").trimmingCharacters(in: .whitespaces)
                })
            return page(elements.map { $0.rendered(expanding: expand) }, path: path, query: query)
        }
    }

    /// One page of a collection, with `@odata.nextLink` when more follow.
    private func page(_ items: [JSON], path: String, query: [String: String]) -> Reply {
        let size = state.configuration.pageSize
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
            object["@odata.nextLink"] = .string(next + "$skiptoken=\(skip + size)")
        }
        return Reply(status: 200, body: .object(object))
    }

    // MARK: - $batch

    private func batch(version: String, request: HTTPRequest) async -> Reply {
        state.count { $0.batch += 1 }
        let tenant: String
        switch authorise(request.headers[HTTPHeader("Authorization")]) {
        case .failure(let reply): return reply
        case .success(let value): tenant = value
        }
        if let fault = state.takeFault({ $0 == .batch }) {
            return faultReply(fault, tokenEndpoint: false)
        }
        guard let data = try? await request.bodyData, let body = try? JSON.parse(data),
            let requests = body["requests"]?.arrayValue
        else {
            return Self.error(400, "BadRequest", "Invalid batch payload format.")
        }
        guard requests.count <= 20 else {
            return Self.error(400, "BadRequest", "Limit of 20 requests per batch exceeded (\(requests.count)).")
        }
        var responses: [JSON] = []
        var spoiled: SimulatedFault?
        for item in requests {
            let id = item["id"]?.stringValue ?? ""
            guard item["method"]?.stringValue?.uppercased() == "GET", let url = item["url"]?.stringValue else {
                responses.append(
                    .object([
                        "id": .string(id), "status": .int(400),
                        "body": Self.error(400, "BadRequest", "Only GET is simulated in a batch.").body ?? .null,
                    ]))
                continue
            }
            let relative = url.hasPrefix("/") ? String(url.dropFirst()) : url
            let parts = relative.split(separator: "?", maxSplits: 1).map(String.init)
            var query: [String: String] = [:]
            if parts.count == 2 {
                for item in URLComponents(string: "?" + parts[1])?.queryItems ?? [] {
                    query[item.name] = item.value ?? ""
                }
            }
            let segments =
                [version] + parts[0].split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
            let reply = graph(tenant: tenant, segments: segments, query: query)
            if let fault = reply.bodyFault { spoiled = spoiled ?? fault }
            var headers: [String: JSON] = ["Content-Type": .string("application/json")]
            for (name, value) in reply.headers { headers[name] = .string(value) }
            responses.append(
                .object([
                    "id": .string(id), "status": .int(Int64(reply.status)), "headers": .object(headers),
                    "body": reply.body ?? .null,
                ]))
        }
        return Reply(status: 200, body: .object(["responses": .array(responses)]), bodyFault: spoiled)
    }

    // MARK: - Faults and rendering

    private func faultReply(_ fault: SimulatedFault, tokenEndpoint: Bool) -> Reply {
        func retryAfter(_ hint: RetryAfterHint) -> [String: String] {
            switch hint {
            case .none: return [:]
            case .seconds(let seconds): return ["Retry-After": String(seconds)]
            case .httpDate(let seconds):
                // Whole seconds, rounded up, so the wait is never shorter than asked.
                let instant = Date().timeIntervalSince1970.rounded(.up) + Double(seconds)
                return ["Retry-After": RetryAfter.httpDateString(Date(timeIntervalSince1970: instant))]
            }
        }
        switch fault {
        case .throttle(let hint):
            var reply = Self.error(429, "TooManyRequests", "Too many requests; retry later.")
            reply.headers = retryAfter(hint)
            return reply
        case .unavailable(let hint):
            var reply = Self.error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
            reply.headers = retryAfter(hint)
            return reply
        case .serverError:
            return Self.error(500, "InternalServerError", "An internal server error occurred.")
        case .unauthorized:
            return tokenEndpoint
                ? Self.oauthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
                : Self.error(401, "InvalidAuthenticationToken", "Access token validation failure.")
        case .forbidden:
            return tokenEndpoint
                ? Self.oauthError(400, "unauthorized_client", "AADSTS700016: The application is disabled.")
                : Self.error(
                    403, "Forbidden",
                    "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All"
                )
        case .malformedBody, .cutOffBody, .dropConnection:
            return Reply(status: 200, body: .object(["value": .array([])]), bodyFault: fault)
        }
    }

    private func render(_ reply: Reply) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[HTTPHeader("Content-Type")] = "application/json"
        for (name, value) in reply.headers { headers[HTTPHeader(name)] = value }
        let status = HTTPStatusCode(reply.status, phrase: Self.phrase(reply.status))
        let data = (reply.body ?? .null).canonicalData()
        switch reply.bodyFault {
        case .malformedBody?:
            return HTTPResponse(
                statusCode: status, headers: headers, body: Data("<html><body>Upstream error</body></html>".utf8))
        case .cutOffBody?:
            return HTTPResponse(statusCode: status, headers: headers, body: Data(data.prefix(max(1, data.count / 2))))
        case .dropConnection?:
            return HTTPResponse(
                statusCode: status, headers: headers,
                body: HTTPBodySequence(from: DroppedBody(), count: max(data.count, 64)))
        default:
            return HTTPResponse(statusCode: status, headers: headers, body: data)
        }
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Reply {
        Reply(
            status: status,
            body: .object([
                "error": .object([
                    "code": .string(code), "message": .string(message),
                    "innerError": .object([
                        "request-id": .string(UUID().uuidString.lowercased()), "date": .string(ISO8601.string(Date())),
                    ]),
                ])
            ]))
    }

    static func oauthError(_ status: Int, _ code: String, _ description: String) -> Reply {
        Reply(
            status: status,
            body: .object([
                "error": .string(code),
                "error_description": .string(
                    "\(description)\r\nTrace ID: \(UUID().uuidString.lowercased())\r\nTimestamp: \(ISO8601.string(Date()))"
                ),
                "error_codes": .array([]),
            ]))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}

/// A response body whose bytes never come: the server closes the connection after the headers,
/// as a dropped connection does.
struct DroppedBody: AsyncBufferedSequence, AsyncBufferedIteratorProtocol {
    typealias Element = UInt8

    struct Dropped: Error {}

    func makeAsyncIterator() -> DroppedBody { self }

    mutating func next() async throws -> UInt8? { throw Dropped() }

    mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? { throw Dropped() }
}
