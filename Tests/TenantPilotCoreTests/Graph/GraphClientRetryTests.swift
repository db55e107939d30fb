import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// The retry policy of docs/architecture.md against injected faults: each fault ends in the right outcome
/// after a bounded number of attempts, counted by the simulator.
@Suite struct GraphClientRetryTests {
    private let collectionPath = "/beta/deviceManagement/deviceConfigurations"

    @Test(arguments: [RetryAfterHint.seconds(10), .httpDate(secondsFromNow: 10)])
    func throttledTwiceThenServedTakesThreeAttemptsHonouringRetryAfter(_ hint: RetryAfterHint) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(.throttle(hint), on: .collection(typeKey: "deviceConfiguration"), times: 2)
            let sleeps = RecordedSleeps()
            let client = makeClient(simulator, sleeps: sleeps)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 2)
            #expect(simulator.requestCounts.byPath[collectionPath] == 3)
            #expect(sleeps.durations.count == 2)
            for wait in sleeps.durations {
                // The date form has whole-second precision and counts from when the answer was sent,
                // so a loaded machine waits less than 10 s; the backoff alone would be under 2 s.
                #expect(wait.seconds >= 5 && wait.seconds <= 11, "waited \(wait)")
            }
            if case .seconds = hint { #expect(sleeps.durations == [.seconds(10), .seconds(10)]) }
        }
    }

    @Test(arguments: [RetryAfterHint.seconds(5), .httpDate(secondsFromNow: 5)])
    func throttledSubRequestsOfABatchAreRetriedAlone(_ hint: RetryAfterHint) async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 3], settingsPerPolicy: 4, assignmentsPerPolicy: 2)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let sleeps = RecordedSleeps()
            // Assignments read per policy, not with the listing.
            let client = makeClient(simulator, sleeps: sleeps, options: GraphClientOptions(listExpansions: false))
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            simulator.inject(.throttle(hint), on: .pathContaining("/assignments"), times: 2)
            simulator.resetRequestCounts()
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.values.allSatisfy { (try? $0.get())?["assignments"]?.arrayValue?.count == 2 })
            let counts = simulator.requestCounts
            #expect(counts.requests(toPathContaining: "/settings") == 3, "settings were not asked again")
            #expect(counts.requests(toPathContaining: "/assignments") == 5, "3 + the 2 throttled ones")
            #expect(counts.batch == 2, "the first round is one batch; the retry of two is a second")
            #expect(counts.http == 2)
            #expect(sleeps.durations.count == 1)
            // As above: the date form counts from when the answer was sent; the backoff is under 1 s.
            #expect(sleeps.durations.allSatisfy { $0.seconds >= 2 && $0.seconds <= 6 }, "\(sleeps.durations)")
        }
    }

    @Test func refusedCredentialsStopAfterOneTokenRequest() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            let client = makeClient(simulator, secret: "wrong-secret-value")
            let type = try policyType("deviceConfiguration")
            let first = await caught { try await client.listPolicies(of: type) }
            #expect(first?.code == ErrorCode.graphAuthFailed)
            #expect(first?.message.contains("AADSTS7000215") == true)
            #expect(first?.message.contains("wrong-secret-value") == false)
            // The refusal is remembered: no second sign-in attempt within this client.
            let second = await caught { try await client.listPolicies(of: type) }
            #expect(second?.code == ErrorCode.graphAuthFailed)
            #expect(simulator.requestCounts.token == 1)
            #expect(simulator.requestCounts.graph == 0)
        }
    }

    @Test func unauthorizedFromGraphIsNotRetried() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.unauthorized, on: .anyGraphRequest)
            let sleeps = RecordedSleeps()
            let client = makeClient(simulator, sleeps: sleeps)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphAuthFailed)
            #expect(simulator.requestCounts.graph == 1)
            #expect(sleeps.durations.isEmpty)
        }
    }

    @Test func forbiddenCollectionFailsThatTypeOnly() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(.forbidden, on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphForbidden)
            #expect(simulator.requestCounts.byPath[collectionPath] == 1, "403 is never retried")
            let other = try await client.listPolicies(of: try policyType("settingsCatalogPolicy"))
            #expect(other.count == 2)
        }
    }

    @Test func unavailableForeverEndsAfterMaxAttempts() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.unavailable(.none), on: .anyGraphRequest)
            let sleeps = RecordedSleeps()
            let options = GraphClientOptions(retry: RetryPolicy(maxAttempts: 4))
            let client = makeClient(simulator, sleeps: sleeps, options: options)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphUnavailable)
            #expect(error?.message.contains("4 attempts") == true)
            #expect(simulator.requestCounts.byPath[collectionPath] == 4)
            #expect(sleeps.durations.count == 3)
            // Exponential backoff with jitter: 0.25–0.5 s, 0.5–1 s, 1–2 s.
            let bounds: [(Double, Double)] = [(0.25, 0.5), (0.5, 1), (1, 2)]
            for (wait, bound) in zip(sleeps.durations, bounds) {
                #expect(wait.seconds >= bound.0 && wait.seconds <= bound.1, "waited \(wait)")
            }
        }
    }

    @Test func throttledForeverEndsThrottledWithinTheTotalBudget() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.throttle(.seconds(2)), on: .anyGraphRequest)
            let sleeps = RecordedSleeps()
            let options = GraphClientOptions(retry: RetryPolicy(maxAttempts: 10, totalBudget: .seconds(5)))
            let client = makeClient(simulator, sleeps: sleeps, options: options)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphThrottled)
            #expect(sleeps.durations == [.seconds(2), .seconds(2)], "a third wait would pass the 5 s budget")
            #expect(simulator.requestCounts.byPath[collectionPath] == 3)
        }
    }

    @Test func aHugeRetryAfterIsCappedAtTheLongestSingleWait() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.throttle(.seconds(86_400)), on: .anyGraphRequest, times: 1)
            let sleeps = RecordedSleeps()
            let client = makeClient(simulator, sleeps: sleeps)
            _ = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(sleeps.durations == [.seconds(60)])
        }
    }

    @Test(arguments: [SimulatedFault.malformedBody, .cutOffBody])
    func unusableBodiesEndAsBadResponseAfterAFewAttempts(_ fault: SimulatedFault) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(fault, on: .anyGraphRequest)
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphBadResponse)
            #expect(simulator.requestCounts.byPath[collectionPath] == RetryPolicy.standard.maxOtherAttempts)
        }
    }

    @Test func aServerErrorIsRetriedAndThenServed() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(.serverError, on: .anyGraphRequest, times: 1)
            let client = makeClient(simulator)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 2)
            #expect(simulator.requestCounts.byPath[collectionPath] == 2)
        }
    }

    @Test func aServerErrorForeverEndsUnavailableAfterAFewAttempts() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.serverError, on: .anyGraphRequest)
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphUnavailable)
            #expect(simulator.requestCounts.byPath[collectionPath] == RetryPolicy.standard.maxOtherAttempts)
        }
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(.dropConnection, on: .anyGraphRequest, times: 1)
            let client = makeClient(simulator)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 2)
            #expect(simulator.requestCounts.byPath[collectionPath] == 2)
        }
    }

    @Test func connectionsDroppedForeverEndUnavailable() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.dropConnection, on: .anyGraphRequest)
            let client = makeClient(simulator, options: GraphClientOptions(retry: RetryPolicy(maxAttempts: 3)))
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphUnavailable)
            #expect(simulator.requestCounts.byPath[collectionPath] == 3)
        }
    }

    @Test func aThrottledTokenEndpointIsRetried() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.throttle(.seconds(1)), on: .token, times: 1)
            let client = makeClient(simulator)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 1)
            #expect(simulator.requestCounts.token == 2)
        }
    }

    @Test func aForbiddenSubRequestFailsItsPolicyOnly() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["deviceCompliancePolicy": 3]))) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(listExpansions: false))
            let type = try policyType("deviceCompliancePolicy")
            let listed = try await client.listPolicies(of: type)
            let victim = simulator.policyIDs(tenant: simulatedTenant, type: type.key)[0]
            simulator.inject(.forbidden, on: .pathContaining("\(victim)/assignments"))
            let captured = await client.capturePolicies(of: type, listed: listed)
            if case .failure(let error)? = captured[victim] {
                #expect(error.code == ErrorCode.graphForbidden)
            } else {
                Issue.record("the policy whose assignments are forbidden should have failed")
            }
            #expect(captured.filter { (try? $0.value.get()) != nil }.count == 2)
            #expect(simulator.requestCounts.requests(toPathContaining: "\(victim)/assignments") == 1)
        }
    }
}
