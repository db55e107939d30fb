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
        if Self.writeMethods.contains(request.method), segments.count >= 2 {
            let body = (try? await request.bodyData).flatMap { $0.isEmpty ? nil : try? JSON.parse($0) }
            switch authorise(request.headers[HTTPHeader("Authorization")]) {
            case .failure(let reply): return render(reply)
            case .success(let tenant):
                return render(write(tenant: tenant, method: request.method, segments: segments, body: body))
            }
        }
        return render(Self.error(404, "NotFound", "The simulator has no resource at \(path)"))
    }

    // MARK: - Token endpoint

    private func token(tenant: String, request: HTTPRequest) async -> Reply {
        state.count { $0.token += 1 }
        if let fault = state.takeFault({ $0 == .token }) {
            if case .hostile(let mode) = fault { return hostileToken(mode, tenant: tenant) }
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
        if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
                return Self.oauthError(400, "invalid_request", "AADSTS7000216: 'client_assertion_type' is invalid.")
            }
            let audience = "\(state.baseURL)/\(tenant)/oauth2/v2.0/token"
            if let problem = state.assertions.problem(
                with: assertion, clientID: form["client_id"], audience: audience, now: Date())
            {
                return Self.oauthError(401, problem.code, problem.description)
            }
        } else if form["client_secret"] != state.configuration.clientSecret {
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

    func faultReply(_ fault: SimulatedFault, tokenEndpoint: Bool) -> Reply {
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
        case .hostile(let mode):
            return hostileReply(mode, path: "", query: [:])
        }
    }

    private func render(_ reply: Reply) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[HTTPHeader("Content-Type")] = "application/json"
        for (name, value) in reply.headers { headers[HTTPHeader(name)] = value }
        let status = HTTPStatusCode(reply.status, phrase: Self.phrase(reply.status))
        // 204 No Content has no body at all.
        let data = reply.status == 204 && reply.body == nil ? Data() : (reply.body ?? .null).canonicalData()
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
        case .hostile(let mode)?:
            return renderHostile(mode, data: data, status: status, headers: headers)
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
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
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
