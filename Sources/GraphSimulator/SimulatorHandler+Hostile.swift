import FlyingFox
import FlyingSocks
import Foundation
import TenantPilotCore

extension SimulatorHandler {
    /// The answer to a request caught by a `.hostile` fault. Redirects, absurd headers and
    /// endless next links are ordinary replies (so they also appear inside a `$batch`); the
    /// others spoil the body as it is rendered.
    func hostileReply(_ mode: HostileResponse, path: String, query: [String: String]) -> Reply {
        switch mode {
        case .redirect(let status, let location):
            return Reply(status: status, headers: ["Location": location], body: .object([:]))
        case .retryAfter(let status, let value):
            var reply = Self.error(status, status == 429 ? "TooManyRequests" : "ServiceUnavailable", "Retry later.")
            reply.headers = ["Retry-After": value]
            return reply
        case .endlessNextLinks:
            let skip = Int(query["$skiptoken"] ?? "") ?? 0
            return Reply(
                status: 200,
                body: .object([
                    "value": .array([]), "@odata.nextLink": .string("\(state.baseURL)\(path)?$skiptoken=\(skip + 1)"),
                ]))
        case .raw(let status, let headers, let body):
            return Reply(
                status: status, headers: headers, body: (try? JSON.parse(Data(body.utf8))) ?? .string(body),
                bodyFault: .hostile(mode))
        case .slowDrip, .hugeBody, .tokenLifetime:
            return Reply(status: 200, body: .object(["value": .array([])]), bodyFault: .hostile(mode))
        }
    }

    /// The token endpoint's answer to a `.hostile` fault: a real token for `.tokenLifetime`.
    func hostileToken(_ mode: HostileResponse, tenant: String) -> Reply {
        guard case .tokenLifetime(let literal) = mode else { return hostileReply(mode, path: "", query: [:]) }
        let token = state.issueToken(tenant: tenant, now: Date())
        let body = #"{"token_type":"Bearer","expires_in":\#(literal),"access_token":"\#(token)"}"#
        return Reply(status: 200, body: .null, bodyFault: .hostile(.raw(status: 200, headers: [:], body: body)))
    }

    /// Renders a body spoiled by a hostile mode; `data` is the honest body.
    func renderHostile(_ mode: HostileResponse, data: Data, status: HTTPStatusCode, headers: HTTPHeaders)
        -> HTTPResponse
    {
        switch mode {
        case .slowDrip(let interval, let bytes):
            let body = GeneratedBody(dripping: data, step: bytes, pause: interval)
            return HTTPResponse(
                statusCode: status, headers: headers, body: HTTPBodySequence(from: body, count: data.count))
        case .hugeBody(let bytes, let announced):
            let body = GeneratedBody(prefix: Array(#"{"value":["#.utf8), suffix: Array("]}".utf8), total: bytes)
            let sequence = announced ? HTTPBodySequence(from: body, count: body.total) : HTTPBodySequence(from: body)
            return HTTPResponse(statusCode: status, headers: headers, body: sequence)
        case .raw(let code, _, let body):
            return HTTPResponse(
                statusCode: HTTPStatusCode(code, phrase: Self.phrase(code)), headers: headers, body: Data(body.utf8))
        case .redirect, .retryAfter, .endlessNextLinks, .tokenLifetime:
            return HTTPResponse(statusCode: status, headers: headers, body: data)
        }
    }
}
