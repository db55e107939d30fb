import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// Restore's writes through the real client against the simulator: what is retried and what
/// never is, the permission a 403 names, the fallback from PUT, the write limit.
@Suite struct GraphWritesTests {
    static func create(_ body: JSONValue, idempotent: Bool = false) -> GraphWrite {
        GraphWrite(
            method: "POST", version: "beta", path: "deviceManagement/deviceConfigurations", body: body,
            what: "create a profile",
            idempotent: idempotent, permission: "DeviceManagementConfiguration.ReadWrite.All")
    }

    static let profile: JSONValue = .object([
        "@odata.type": .string("#microsoft.graph.windows10GeneralConfiguration"), "displayName": .string("Written"),
    ])

    @Test func aCreateIsStoredAndReadBackAndAReadOnlyPropertyIsRefused() async throws {
        try await withSimulator(simulatorConfiguration(.counts([:]))) { simulator in
            let client = makeClient(simulator)
            let created = try await client.send(Self.create(Self.profile))
            let id = try #require(created["id"]?.stringValue)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.contains { $0["id"]?.stringValue == id && $0["displayName"] == .string("Written") })

            let refused = await caught {
                try await client.send(
                    Self.create(
                        .object(["displayName": .string("x"), "createdDateTime": .string("2026-01-01T00:00:00Z")])))
            }
            #expect(refused?.code == ErrorCode.graphBadResponse)
            #expect(refused?.message.contains("createdDateTime") == true)
            #expect(simulator.requestCounts.refusedWrites == 1)
            #expect(client.requestCounts.write == 2, "a 400 is never retried")
        }
    }

    @Test func aCreateIsRetriedOnlyWhenGraphSaysItWasNotDone() async throws {
        try await withSimulator(simulatorConfiguration(.counts([:]))) { simulator in
            let client = makeClient(simulator)
            simulator.inject(.unavailable(.seconds(0)), on: .pathContaining("deviceConfigurations"), times: 1)
            _ = try await client.send(Self.create(Self.profile))
            #expect(simulator.requestCounts.writes == 2, "503 means not done: retried")

            simulator.resetRequestCounts()
            simulator.inject(.serverError, on: .pathContaining("deviceConfigurations"), times: 1)
            let failed = await caught { try await client.send(Self.create(Self.profile)) }
            #expect(failed != nil)
            #expect(simulator.requestCounts.writes == 1, "a 500 may have created it: a create is not sent again")
            #expect(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").count == 1)

            simulator.resetRequestCounts()
            simulator.inject(.serverError, on: .pathContaining("deviceConfigurations"), times: 1)
            let id = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").first)
            _ = try await client.send(
                GraphWrite(
                    method: "PATCH", version: "beta", path: "deviceManagement/deviceConfigurations/\(id)",
                    body: .object(["description": .string("again")]), what: "update", idempotent: true))
            #expect(simulator.requestCounts.writes == 2, "an update is idempotent: retried")
        }
    }

    @Test func aForbiddenWriteNamesThePermissionItNeeds() async throws {
        try await withSimulator(simulatorConfiguration(.counts([:]))) { simulator in
            let client = makeClient(simulator)
            simulator.inject(.forbidden, on: .pathContaining("deviceConfigurations"), times: 1)
            let error = await caught { try await client.send(Self.create(Self.profile)) }
            #expect(error?.code == ErrorCode.graphForbidden)
            #expect(error?.message.contains("DeviceManagementConfiguration.ReadWrite.All") == true)
        }
    }

    @Test func aPutWhereOnlyPatchIsAllowedFallsBackOnce() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["deviceConfiguration": 1]))) { simulator in
            let client = makeClient(simulator)
            let id = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").first)
            _ = try await client.send(
                GraphWrite(
                    method: "PUT", version: "beta", path: "deviceManagement/deviceConfigurations/\(id)",
                    body: .object(["description": .string("put")]), what: "update", idempotent: true,
                    fallbackMethod: "PATCH"))
            #expect(
                simulator.policy(tenant: simulatedTenant, type: "deviceConfiguration", id: id)?.fields["description"]
                    == .string("put"))
            #expect(simulator.requestCounts.writes == 2)
        }
    }

    @Test func theWriteLimitAnswers429WithRetryAfter() async throws {
        var configuration = simulatorConfiguration(.counts([:]))
        configuration.throttling = SimulatedThrottling(writes: 2, window: .seconds(30))
        try await withSimulator(configuration) { simulator in
            let sleeps = RecordedSleeps()
            let client = makeClient(
                simulator, sleeps: sleeps, options: GraphClientOptions(retry: RetryPolicy(maxAttempts: 2)))
            // The window runs on the simulator's real clock: Retry-After is what is left of it
            // when the third write arrives, 30 s less the time the writes took (which load
            // stretches), never less.
            let started = ContinuousClock.now
            _ = try await client.send(Self.create(Self.profile))
            _ = try await client.send(Self.create(Self.profile))
            let third = await caught { try await client.send(Self.create(Self.profile)) }
            let elapsed = ContinuousClock.now - started
            #expect(third?.code == ErrorCode.graphThrottled)
            #expect(simulator.requestCounts.throttledWrites == 2)
            #expect(
                sleeps.durations.first.map { $0 >= .seconds(30) - elapsed } == true,
                "\(sleeps.durations) after \(elapsed)")
        }
    }
}
