import FlyingFox
import Foundation
import TenantPilotCore

/// The `/_simulator/` endpoints, so that demo scripts driving the executable can do what tests
/// do through the Swift API:
///
/// - `GET /_simulator/stats`, `POST /_simulator/stats/reset`
/// - `POST /_simulator/faults` `{"fault": "throttle", "target": "collection:deviceConfiguration",
///   "times": 2, "retryAfter": 1, "retryAfterForm": "seconds"|"date"}`; `DELETE /_simulator/faults`
///   (faults: throttle, unavailable, serverError, unauthorized, forbidden, malformedBody, cutOffBody,
///   dropConnection, hostile with a `mode` — see `HostileResponse.parse`; targets: token, batch,
///   any, collection:KEY, type:KEY, path:TEXT)
/// - `POST /_simulator/tenants/{tenant}/mutate` `{"changed": 3, "added": 2, "deleted": 1}`
/// - `GET|POST /_simulator/tenants/{tenant}/policies/{type}` (list ids, add one with the body's fields)
/// - `PATCH|DELETE /_simulator/tenants/{tenant}/policies/{type}/{id}` (merge the body's fields, delete)
struct SimulatorControl {
    let state: SimulatorState

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let segments = request.path.split(separator: "/").map(String.init).dropFirst().map { $0 }
        let body = (try? await request.bodyData).flatMap { $0.isEmpty ? nil : try? JSON.parse($0) } ?? .object([:])
        let method = request.method
        let count = segments.count
        let tenant = count > 1 ? segments[1] : ""
        let type = count > 3 ? segments[3] : ""
        do {
            if method == .GET, segments == ["stats"] {
                return reply(200, stats())
            } else if method == .POST, segments == ["stats", "reset"] {
                state.resetCounts()
                return reply(200, .object(["reset": .bool(true)]))
            } else if method == .POST, segments == ["faults"] {
                let (fault, target) = try parseFault(body)
                let times: Int? = body["times"] == nil ? nil : int(body["times"])
                state.inject(FaultRule(fault: fault, target: target, remaining: times))
                return reply(201, .object(["injected": .bool(true)]))
            } else if method == .DELETE, segments == ["faults"] {
                state.clearFaults()
                return reply(200, .object(["cleared": .bool(true)]))
            } else if method == .POST, count == 3, segments[0] == "tenants", segments[2] == "mutate" {
                let report = try state.mutate(
                    tenant: tenant, changed: int(body["changed"]), added: int(body["added"]),
                    deleted: int(body["deleted"]))
                func list(_ policies: [SimulatedMutation.Policy]) -> JSON {
                    .array(policies.map { .object(["type": .string($0.type), "id": .string($0.id)]) })
                }
                return reply(
                    200,
                    .object([
                        "changed": list(report.changed), "added": list(report.added), "deleted": list(report.deleted),
                    ]))
            } else if count == 4, segments[0] == "tenants", segments[2] == "policies", method == .GET {
                return reply(
                    200, .object(["ids": .array(state.policyIDs(tenant: tenant, type: type).map { .string($0) })]))
            } else if count == 4, segments[0] == "tenants", segments[2] == "policies", method == .POST {
                let id = try state.addPolicy(tenant: tenant, type: type, fields: body.objectValue ?? [:])
                return reply(201, .object(["id": .string(id)]))
            } else if count == 5, segments[0] == "tenants", segments[2] == "policies", method == .PATCH {
                try state.updatePolicy(tenant: tenant, type: type, id: segments[4], fields: body.objectValue ?? [:])
                return reply(200, .object(["id": .string(segments[4])]))
            } else if count == 5, segments[0] == "tenants", segments[2] == "policies", method == .DELETE {
                try state.deletePolicy(tenant: tenant, type: type, id: segments[4])
                return reply(200, .object(["deleted": .string(segments[4])]))
            }
            return reply(404, .object(["error": .string("no control endpoint \(method.rawValue) \(request.path)")]))
        } catch {
            return reply(400, .object(["error": .string("\(error)")]))
        }
    }

    private func int(_ value: JSON?) -> Int {
        switch value {
        case .int(let number)?: Int(number)
        case .double(let number)?: Int(number)
        case .string(let text)?: Int(text) ?? 0
        default: 0
        }
    }

    private func stats() -> JSON {
        let counts = state.requestCounts
        return .object([
            "http": .int(Int64(counts.http)), "token": .int(Int64(counts.token)), "batch": .int(Int64(counts.batch)),
            "graph": .int(Int64(counts.graph)), "list": .int(Int64(counts.list)),
            "get_by_id": .int(Int64(counts.getByID)),
            "subresource": .int(Int64(counts.subresource)), "faults": .int(Int64(counts.faults)),
            "throttled": .int(Int64(counts.throttled)),
        ])
    }

    private func parseFault(_ body: JSON) throws -> (SimulatedFault, FaultTarget) {
        let seconds = int(body["retryAfter"])
        let hint: RetryAfterHint =
            body["retryAfter"] == nil
            ? .none
            : (body["retryAfterForm"]?.stringValue == "date" ? .httpDate(secondsFromNow: seconds) : .seconds(seconds))
        let fault: SimulatedFault
        switch body["fault"]?.stringValue {
        case "throttle": fault = .throttle(hint)
        case "unavailable": fault = .unavailable(hint)
        case "serverError": fault = .serverError
        case "unauthorized": fault = .unauthorized
        case "forbidden": fault = .forbidden
        case "malformedBody": fault = .malformedBody
        case "cutOffBody": fault = .cutOffBody
        case "dropConnection": fault = .dropConnection
        case "hostile": fault = .hostile(try HostileResponse.parse(body))
        default: throw GraphSimulatorError("unknown fault \(body["fault"]?.stringValue ?? "(none)")")
        }
        let text = body["target"]?.stringValue ?? "any"
        let target: FaultTarget
        if text == "token" {
            target = .token
        } else if text == "batch" {
            target = .batch
        } else if text == "any" {
            target = .anyGraphRequest
        } else if text.hasPrefix("collection:") {
            target = .collection(typeKey: String(text.dropFirst("collection:".count)))
        } else if text.hasPrefix("type:") {
            target = .type(typeKey: String(text.dropFirst("type:".count)))
        } else if text.hasPrefix("path:") {
            target = .pathContaining(String(text.dropFirst("path:".count)))
        } else {
            throw GraphSimulatorError("unknown fault target \(text)")
        }
        return (fault, target)
    }

    private func reply(_ status: Int, _ body: JSON) -> HTTPResponse {
        HTTPResponse(
            statusCode: HTTPStatusCode(status, phrase: SimulatorHandler.phrase(status)),
            headers: [HTTPHeader("Content-Type"): "application/json"], body: body.canonicalData())
    }
}
