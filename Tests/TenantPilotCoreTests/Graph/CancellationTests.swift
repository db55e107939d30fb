import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// Waiting in the Graph client ends when its task is cancelled: a fatal error in one policy
/// type (or a run's deadline) cancels the others, and none of them may keep the run alive.
@Suite(.timeLimit(.minutes(3))) struct CancellationTests {
    @Test func aCancelledWaiterLeavesAtOnceWithoutAPermit() async {
        let semaphore = AsyncSemaphore(permits: 1)
        #expect(await semaphore.acquire())
        let waiter = Task { await semaphore.acquire() }
        waiter.cancel()
        #expect(await waiter.value == false)
        await semaphore.release()
        // The permit came back rather than going to the cancelled waiter.
        #expect(await semaphore.acquire())
        let second = Task { await semaphore.acquire() }
        await semaphore.release()
        #expect(await second.value == true)
    }

    @Test func aRequestWhoseTaskIsCancelledEndsWhileTheBodyIsStillComing() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(
                .hostile(.slowDrip(interval: .milliseconds(500), bytes: 1)),
                on: .collection(typeKey: "deviceConfiguration"))
            let client = makeClient(
                simulator, options: GraphClientOptions(requestTimeout: .seconds(600), requestDeadline: .seconds(600)))
            let type = try policyType("deviceConfiguration")
            let listing = Task { await caught { try await client.listPolicies(of: type) } }
            // Wait until the request is being answered, then cancel it.
            for _ in 0..<2000 where simulator.requestCounts.list == 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(simulator.requestCounts.list == 1)
            let started = ContinuousClock.now
            listing.cancel()
            let error = await listing.value
            #expect(error?.code == ErrorCode.cancelled)
            #expect(ContinuousClock.now - started < .seconds(30), "it ended without waiting for the body")
        }
    }

    /// The case that hung: every type of a run answers 401 at once, the first fatal failure
    /// cancels the others while their 401s are being delivered. Repeated many times, many runs
    /// at a time, each must end GRAPH_AUTH_FAILED.
    @Test func aRunWhoseEveryTypeAnswers401AlwaysEnds() async throws {
        let harness = try await BackupServiceTests.Harness()
        let keys = ["deviceConfiguration", "deviceCompliancePolicy", "settingsCatalogPolicy", "roleScopeTag"]
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            simulator.inject(.unauthorized, on: .anyGraphRequest)
            var outcomes: [BackupOutcome] = []
            for _ in 0..<25 {
                await withTaskGroup(of: BackupOutcome.self) { group in
                    for _ in 0..<8 { group.addTask { await harness.backup(simulator, keys) } }
                    for await outcome in group { outcomes.append(outcome) }
                }
            }
            #expect(outcomes.count == 200)
            #expect(outcomes.allSatisfy { $0.fatal?.code == ErrorCode.graphAuthFailed })
            #expect(outcomes.allSatisfy { $0.backupSetId == nil })
        }
    }
}
