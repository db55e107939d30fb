import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// docs/operations.md, "Graph's request limits": the client paces every tenant's requests under Graph's limits, so that a backup
/// provokes no 429; the 429s other apps cause are still retried.
@Suite struct GraphPacerTests {
    @Test func aWindowAdmitsItsLimitThenWaitsUntilTheOldestResponseIsAWindowOld() async throws {
        let time = VirtualTime()
        let pacer = GraphPacer(limits: GraphRequestLimits(requests: 10, window: .seconds(20)), timing: time.timing)
        var tickets: [GraphPacer.Ticket] = []
        for _ in 0..<10 { tickets.append(await pacer.admit(.read(.intune))) }
        #expect(time.timing.now() == .zero, "ten requests fit at once")
        time.advance(.seconds(3))
        for ticket in tickets { await pacer.release(ticket) }
        let waits = WaitLog()
        _ = await pacer.admit(.read(.intune), onWait: waits.record)
        #expect(time.timing.now() == .seconds(23), "the eleventh goes one window after the first ten came back")
        #expect(waits.durations == [.seconds(20), nil])
    }

    @Test func aBatchCountsEverySubRequestAndWritesTheirOwnLimitToo() async throws {
        let time = VirtualTime()
        let pacer = GraphPacer(
            limits: GraphRequestLimits(requests: 50, writes: 2, window: .seconds(20)), timing: time.timing)
        let batch = await pacer.admit(GraphRequestCost(limit: .intune, requests: 21))
        let second = await pacer.admit(GraphRequestCost(limit: .intune, requests: 21))
        await pacer.release(batch)
        await pacer.release(second)
        #expect(time.timing.now() == .zero)
        _ = await pacer.admit(GraphRequestCost(limit: .intune, requests: 21))
        #expect(time.timing.now() == .seconds(20), "42 + 21 > 50")

        let writes = GraphPacer(
            limits: GraphRequestLimits(requests: 50, writes: 2, window: .seconds(20)), timing: time.timing)
        let start = time.timing.now()
        for _ in 0..<2 { await writes.release(await writes.admit(.write(.intune))) }
        _ = await writes.admit(.read(.intune))
        #expect(time.timing.now() == start, "reads are not held back by the writes' limit")
        _ = await writes.admit(.write(.intune))
        #expect(time.timing.now() == start + .seconds(20), "the third write waits for the window")
    }

    @Test func conditionalAccessGoesOneRequestPerSecondApartFromIntune() async throws {
        let time = VirtualTime()
        let pacer = GraphPacer(timing: time.timing)
        for _ in 0..<3 { await pacer.release(await pacer.admit(.read(.conditionalAccess))) }
        #expect(time.timing.now() == .seconds(2))
        for _ in 0..<100 { await pacer.release(await pacer.admit(.read(.intune))) }
        #expect(time.timing.now() == .seconds(2), "Intune's budget is its own")
    }

    @Test func aThrottledAnswerHoldsEveryRequestOfItsLimitBack() async throws {
        let time = VirtualTime()
        let pacer = GraphPacer(timing: time.timing)
        await pacer.holdOff(.intune, for: .seconds(7))
        _ = await pacer.admit(.read(.intune))
        #expect(time.timing.now() == .seconds(7))
        _ = await pacer.admit(.read(.conditionalAccess))
        #expect(time.timing.now() == .seconds(7), "conditional access was not held")
    }

    // MARK: - Against the simulator's limits

    @Test func aCaptureUnderTheSimulatorsLimitProvokesNo429() async throws {
        var configuration = simulatorConfiguration(
            SimulatedTenantSpec(counts: ["settingsCatalogPolicy": 25], settingsPerPolicy: 2, assignmentsPerPolicy: 1))
        configuration.throttling = SimulatedThrottling(requests: 30, window: .seconds(1))
        try await withSimulator(configuration) { simulator in
            let limits = GraphRequestLimits(requests: 30, window: .seconds(1))
            let client = makeClient(
                simulator, options: GraphClientOptions(limits: limits, listExpansions: false),
                pacer: GraphPacer(limits: limits))
            let waits = WaitLog()
            client.observeBudgetWaits(waits.record)
            let type = try policyType("settingsCatalogPolicy")
            let captured = await client.capturePolicies(of: type, listed: try await client.listPolicies(of: type))
            #expect(captured.values.allSatisfy { (try? $0.get())?["settings"]?.arrayValue?.count == 2 })
            #expect(captured.count == 25)
            #expect(simulator.requestCounts.throttled == 0)
            #expect(client.requestCounts.throttled == 0)
            #expect(simulator.requestCounts.graph == 51, "1 listing + 25 × (settings + assignments)")
            #expect(await client.pacer.totalWait > .milliseconds(500), "it had to wait for the budget")
        }
    }

    @Test func theSimulatorRefusesWhatGoesOverItsLimitAndCountsTheRefusals() async throws {
        var configuration = simulatorConfiguration(
            SimulatedTenantSpec(counts: ["settingsCatalogPolicy": 25], settingsPerPolicy: 2, assignmentsPerPolicy: 1))
        configuration.throttling = SimulatedThrottling(requests: 30, window: .seconds(60))
        try await withSimulator(configuration) { simulator in
            // A client that does not pace (a budget far above Graph's) and does not retry.
            let client = makeClient(
                simulator,
                options: GraphClientOptions(
                    retry: RetryPolicy(maxAttempts: 1), limits: GraphRequestLimits(requests: 100_000),
                    listExpansions: false))
            let type = try policyType("settingsCatalogPolicy")
            let captured = await client.capturePolicies(of: type, listed: try await client.listPolicies(of: type))
            let failed = captured.values.filter {
                if case .failure(let error) = $0 { error.code == ErrorCode.graphThrottled } else { false }
            }
            #expect(!failed.isEmpty)
            #expect(simulator.requestCounts.throttled == 51 - 30)
            #expect(client.requestCounts.throttled == 51 - 30)
        }
    }

    @Test func throttlingByAnotherAppIsRetriedAndHoldsBackTheRest() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 6], settingsPerPolicy: 2, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let sleeps = RecordedSleeps()
            let time = VirtualTime()
            let client = makeClient(
                simulator, sleeps: sleeps, options: GraphClientOptions(listExpansions: false),
                pacer: GraphPacer(timing: time.timing))
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            // Another app of the tenant spent its budget: Graph answers three requests with 429.
            simulator.inject(.throttle(.seconds(9)), on: .pathContaining("/settings"), times: 3)
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.values.allSatisfy { (try? $0.get())?["settings"]?.arrayValue?.count == 2 })
            #expect(client.requestCounts.throttled == 3)
            #expect(
                sleeps.durations == [.seconds(9)],
                "the three throttled sub-requests were retried together after Retry-After")
            #expect(time.timing.now() >= .seconds(9), "the pacer held every Intune request back as long")
        }
    }
}

/// What a pacer told its observer.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration?] = []

    var durations: [Duration?] { lock.withLock { recorded } }

    var record: @Sendable (Duration?) -> Void {
        { [self] duration in lock.withLock { recorded.append(duration) } }
    }
}
