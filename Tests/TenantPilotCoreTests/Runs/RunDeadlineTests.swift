import Foundation
import Testing

@testable import TenantPilotCore

/// The run's deadline: work that ends in time is kept, work past it is cancelled and what it
/// wound up with is kept, and work that ignores cancellation is left behind after the wind-up.
// Serialized: two tests block a thread each, and the cooperative pool may have only two.
@Suite(.serialized, .timeLimit(.minutes(1))) struct RunDeadlineTests {
    @Test func workThatEndsInTimeIsFinished() async {
        let outcome = await RunDeadline(timeout: .seconds(30)).run { 42 }
        guard case .finished(42) = outcome else {
            Issue.record("\(outcome)")
            return
        }
    }

    @Test func workPastTheDeadlineIsCancelledAndWhatItWoundUpWithIsKept() async {
        let outcome = await RunDeadline(timeout: .milliseconds(100), windUp: .seconds(30)).run { () -> String in
            do {
                try await Task.sleep(for: .seconds(600))
                return "finished"
            } catch {
                return "wound up"
            }
        }
        guard case .timedOut("wound up") = outcome else {
            Issue.record("\(outcome)")
            return
        }
    }

    @Test func workThatIgnoresCancellationIsLeftBehind() async {
        let gate = DispatchSemaphore(value: 0)
        let outcome = await RunDeadline(timeout: .milliseconds(50), windUp: .milliseconds(50)).run { () -> Int in
            // Blocks its thread whatever happens to its task.
            _ = gate.wait(timeout: .now() + 30)
            return 1
        }
        gate.signal()
        guard case .abandoned = outcome else {
            Issue.record("\(outcome)")
            return
        }
    }

    @Test func aRunWhoseWorkIgnoresItsDeadlineEndsFailedWithRunTimeout() async throws {
        let fixture = try await EngineFixture()
        let schedule = try await fixture.addSchedule(at: ["02:00"])
        let gate = DispatchSemaphore(value: 0)
        let store = fixture.store
        let stuck = FakeBackup { _ in
            _ = gate.wait(timeout: .now() + 30)
            return BackupOutcome(policies: 1, items: 1)
        }
        let executor = RunExecutor(
            store: store, registry: fixture.registry, clock: .fixed(EngineFixture.instant("2026-01-01T02:00:00Z")),
            backup: stuck, deadline: RunDeadline(timeout: .milliseconds(100), windUp: .milliseconds(100)))
        let run = try await ManualRuns(executor: executor).runNow(
            .id(schedule.rowID), actor: "admin", at: EngineFixture.instant("2026-01-01T02:00:00Z"))
        gate.signal()
        #expect(run.status == .failed)
        #expect(run.errorCode?.rawValue == "RUN_TIMEOUT")
        #expect(run.backupSetId == nil)
    }
}
