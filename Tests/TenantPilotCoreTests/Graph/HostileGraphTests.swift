import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// The client against a Graph that lies: redirects that would carry the token away, absurd
/// numbers in headers and bodies, bodies that drip or never end, pages that never run out. Each
/// ends in a typed failure (or is used safely) and never traps, hangs or follows the server off
/// its origin.
@Suite(.timeLimit(.minutes(2))) struct HostileGraphTests {
    private let collectionPath = "/beta/deviceManagement/deviceConfigurations"

    // MARK: - Redirects

    @Test(arguments: [301, 302, 303, 307, 308])
    func aRedirectOnGraphIsRefusedAndNothingReachesItsTarget(_ status: Int) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { witness in
            try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
                let location = "http://localhost:\(witness.port)\(collectionPath)"
                simulator.inject(
                    .hostile(.redirect(status: status, location: location)),
                    on: .collection(typeKey: "deviceConfiguration"))
                let client = makeClient(simulator)
                let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
                #expect(error?.code == ErrorCode.graphBadResponse)
                #expect(
                    error?.message.contains("redirect (HTTP \(status)) to localhost") == true, "\(error?.message ?? "")"
                )
                #expect(simulator.requestCounts.byPath[collectionPath] == 1, "a redirect is not retried")
                #expect(witness.requestCounts.http == 0, "the token never reached the redirect's target")
            }
        }
    }

    @Test func aRedirectOnTheTokenEndpointIsRefusedAndTheSecretGoesNowhere() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { witness in
            try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
                let location = "http://localhost:\(witness.port)/\(simulatedTenant)/oauth2/v2.0/token"
                simulator.inject(.hostile(.redirect(status: 307, location: location)), on: .token)
                let client = makeClient(simulator)
                let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
                #expect(error?.code == ErrorCode.graphBadResponse)
                #expect(error?.message.contains("localhost") == true)
                #expect(error?.message.contains(simulatorSecret) == false)
                #expect(simulator.requestCounts.token == 1)
                #expect(witness.requestCounts.http == 0)
            }
        }
    }

    @Test func aRedirectInsideABatchFailsThatRequestOnly() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 3], settingsPerPolicy: 2, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let client = makeClient(simulator)
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            let victim = try #require(listed.first?["id"]?.stringValue)
            simulator.inject(
                .hostile(.redirect(status: 302, location: "https://elsewhere.example/x")),
                on: .pathContaining("\(victim)/settings"))
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.count == 3)
            if case .failure(let error)? = captured[victim] {
                #expect(error.code == ErrorCode.graphBadResponse)
            } else {
                Issue.record("the redirected policy was captured: \(String(describing: captured[victim]))")
            }
            #expect(captured.values.filter { (try? $0.get()) != nil }.count == 2)
        }
    }

    // MARK: - Numbers from outside

    @Test(arguments: [
        "1e30", "9223372036854775807", "99999999999999999999999999", "-5", "0", "garbage", "", "1.5e3", "nan", "inf",
    ])
    func anyRetryAfterOnAResponseIsAUsableWait(_ value: String) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(
                .hostile(.retryAfter(status: 429, value: value)), on: .collection(typeKey: "deviceConfiguration"),
                times: 2)
            let sleeps = RecordedSleeps()
            let client = makeClient(simulator, sleeps: sleeps)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 2)
            #expect(sleeps.durations.count == 2)
            Self.expectUsableWaits(sleeps.durations, after: value)
        }
    }

    @Test(arguments: ["1e30", "9223372036854775807", "-1", "0", "soon"])
    func anyRetryAfterInsideABatchIsAUsableWait(_ value: String) async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 3], settingsPerPolicy: 2, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let sleeps = RecordedSleeps()
            // Assignments read per policy (in a batch), not with the listing.
            let client = makeClient(simulator, sleeps: sleeps, options: GraphClientOptions(listExpansions: false))
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            simulator.inject(
                .hostile(.retryAfter(status: 503, value: value)), on: .pathContaining("/assignments"), times: 2)
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.values.allSatisfy { (try? $0.get())?["assignments"]?.arrayValue?.count == 1 })
            #expect(!sleeps.durations.isEmpty)
            Self.expectUsableWaits(sleeps.durations, after: value)
        }
    }

    @Test(arguments: ["1e30", "9223372036854775807", "-3", "x"])
    func anyRetryAfterOnTheTokenEndpointIsAUsableWait(_ value: String) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.hostile(.retryAfter(status: 503, value: value)), on: .token, times: 1)
            let sleeps = RecordedSleeps()
            let client = makeClient(simulator, sleeps: sleeps)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 1)
            #expect(simulator.requestCounts.token == 2)
            Self.expectUsableWaits(sleeps.durations, after: value)
        }
    }

    /// Huge values wait the longest single wait; zero, negative and garbage use the backoff.
    private static func expectUsableWaits(
        _ durations: [Duration], after value: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let policy = RetryPolicy.standard
        let huge = value.allSatisfy(\.isNumber) && value.count > 5
        for (index, wait) in durations.enumerated() {
            #expect(
                wait > .zero && wait <= policy.maxDelay, "waited \(wait) after Retry-After \(value)",
                sourceLocation: sourceLocation)
            if huge {
                #expect(
                    wait == policy.maxDelay, "waited \(wait) after Retry-After \(value)", sourceLocation: sourceLocation
                )
            } else {
                // The backoff of attempt n is at most base × 2^(n-1).
                #expect(
                    wait <= policy.baseDelay * (1 << index), "waited \(wait) after Retry-After \(value)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: [
        "1e308", "9223372036854775807", "-1", "0", "\"nan\"", "\"1e400\"", "\"-inf\"", "true", "null", "{}",
    ])
    func anyTokenLifetimeGivesAUsableToken(_ literal: String) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.hostile(.tokenLifetime(literal: literal)), on: .token)
            let client = makeClient(simulator)
            let type = try policyType("deviceConfiguration")
            #expect(try await client.listPolicies(of: type).count == 1)
            #expect(try await client.listPolicies(of: type).count == 1)
            #expect(URLSessionGraphClient.tokenLifetime(try JSONValue.parse(Data(literal.utf8))) <= 86_400)
        }
    }

    @Test func aNumberTooLargeForADoubleInATokenResponseIsABadResponse() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.hostile(.tokenLifetime(literal: "1e999")), on: .token)
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphBadResponse)
        }
    }

    @Test(arguments: ["1e30", "-1e30", "9.5", "\"302\"", "\"abc\"", "99999999999999999999"])
    func anyStatusInsideABatchIsClassifiedWithoutATrap(_ status: String) async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 2], settingsPerPolicy: 1, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let client = makeClient(simulator)
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            let body =
                #"{"responses":[{"id":"1","status":\#(status),"body":{}},{"id":"2","status":\#(status),"body":{}}]}"#
            simulator.inject(
                .hostile(.raw(status: 200, headers: ["Content-Type": "application/json"], body: body)), on: .batch)
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.count == 2)
            #expect(captured.values.allSatisfy { (try? $0.get()) == nil })
        }
    }

    // MARK: - Time and size

    @Test func aBodyThatDripsEndsAtTheRequestDeadline() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(3))) { simulator in
            simulator.inject(
                .hostile(.slowDrip(interval: .milliseconds(200), bytes: 1)),
                on: .collection(typeKey: "deviceConfiguration"))
            let options = GraphClientOptions(requestTimeout: .seconds(30), requestDeadline: .seconds(1))
            let client = makeClient(simulator, options: options)
            let started = ContinuousClock.now
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphUnavailable)
            #expect(error?.message.contains("within 1 s") == true, "\(error?.message ?? "")")
            // Three attempts of one second each, not the idle timeout's 30 s per byte.
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    @Test(arguments: [true, false])
    func aBodyOverTheSizeLimitIsRefusedWithoutReadingIt(announced: Bool) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(
                .hostile(.hugeBody(bytes: 8 << 20, announced: announced)),
                on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(simulator, options: GraphClientOptions(maxResponseBytes: 1 << 20))
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphBadResponse)
            #expect(error?.message.contains("larger than the limit of 1 MB") == true, "\(error?.message ?? "")")
            #expect(simulator.requestCounts.byPath[collectionPath] == 1, "an oversized body is not asked for again")
        }
    }

    @Test func aBodyJustUnderTheSizeLimitIsRead() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(
                .hostile(.hugeBody(bytes: (1 << 20) - 1, announced: false)),
                on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(simulator, options: GraphClientOptions(maxResponseBytes: 1 << 20))
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.isEmpty)
        }
    }

    @Test func nextLinksThatNeverEndStopAtThePageCap() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            simulator.inject(.hostile(.endlessNextLinks), on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(simulator, options: GraphClientOptions(maxPages: 40))
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphBadResponse)
            #expect(error?.message.contains("more than 40 pages") == true, "\(error?.message ?? "")")
            #expect(simulator.requestCounts.list == 40, "exactly the cap's pages were read")
        }
    }

    @Test func subResourceNextLinksThatNeverEndStopAtThePageCap() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 2], settingsPerPolicy: 1, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(maxPages: 30))
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            simulator.inject(.hostile(.endlessNextLinks), on: .pathContaining("/settings"))
            let captured = await client.capturePolicies(of: type, listed: listed)
            for result in captured.values {
                if case .failure(let error) = result {
                    #expect(error.message.contains("more than 30 pages"), "\(error.message)")
                } else {
                    Issue.record("a policy whose settings never end was captured")
                }
            }
        }
    }

    // MARK: - Odd but harmless answers

    @Test func aNullNextLinkEndsTheCollection() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            let body = #"{"value":[{"id":"a1","displayName":"one"}],"@odata.nextLink":null}"#
            simulator.inject(
                .hostile(.raw(status: 200, headers: ["Content-Type": "application/json"], body: body)),
                on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(simulator)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.map { $0["id"]?.stringValue } == ["a1"])
        }
    }

    @Test(arguments: ["HTTP", "Http", "ftp", "file"])
    func aNextLinkWithAnotherSchemeIsRefusedOnce(_ scheme: String) async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            let link = "\(scheme)://127.0.0.1:\(simulator.port)\(collectionPath)?$skiptoken=1"
            let body = #"{"value":[{"id":"a1"}],"@odata.nextLink":"\#(link)"}"#
            simulator.inject(
                .hostile(.raw(status: 200, headers: ["Content-Type": "application/json"], body: body)),
                on: .collection(typeKey: "deviceConfiguration"))
            let sleeps = RecordedSleeps()
            let client = makeClient(simulator, sleeps: sleeps)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphBadResponse)
            #expect(sleeps.durations.isEmpty, "refused, not retried as transient")
            #expect(simulator.requestCounts.list == 1)
        }
    }

    @Test func controlCharactersFromGraphAreEscapedInMessages() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            let body = #"{"error":{"code":"Bad\u001b[31mCode","message":"line one\nFAKE: line two\u0007"}}"#
            simulator.inject(
                .hostile(.raw(status: 400, headers: ["Content-Type": "application/json"], body: body)),
                on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            let message = try #require(error?.message)
            #expect(
                !message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(message.debugDescription)")
            #expect(message.contains(#"Bad\u{1B}[31mCode"#))
            #expect(message.contains(#"line one\nFAKE: line two\u{7}"#))
        }
    }

    @Test func controlCharactersInATokenErrorAreEscaped() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            let body =
                #"{"error":"invalid_client\u001b]0;owned\u0007","error_description":"AADSTS1: \u001b[2Jcleared"}"#
            simulator.inject(
                .hostile(.raw(status: 401, headers: ["Content-Type": "application/json"], body: body)), on: .token)
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            let message = try #require(error?.message)
            #expect(error?.code == ErrorCode.graphAuthFailed)
            #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "\(message.debugDescription)")
            #expect(message.contains(#"\u{1B}[2Jcleared"#))
        }
    }
}
