import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

@Suite struct ManualRunsTests {
    @Test func runNowTakesTheCurrentMinuteAndASecondRunInThatMinuteIsRefused() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let runs = ManualRuns(executor: fixture.executor())
        let now = EngineFixture.instant("2026-01-01T10:15:42Z")
        let run = try await runs.runNow(.name(tenant: "contoso", schedule: "nightly"), actor: "alice", at: now)
        #expect(run.scheduledFor.text == "2026-01-01T10:15:00Z")
        #expect(run.trigger == .manual)
        #expect(run.status == .success)
        do {
            _ = try await runs.runNow(.id(1), actor: "alice", at: now.addingTimeInterval(10))
            Issue.record("a second run in the same minute was made")
        } catch {
            #expect(error.exitCode == 4)
            #expect(error.message.contains("run \(run.rowID)"))
        }
        let notifications = try fixture.notifications()
        #expect(notifications.map(\.actor) == ["alice"])
        #expect(notifications.first?.runId == run.id)
    }

    @Test func retryIsOnlyForFailedPartialOrSkippedRuns() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let failing = ManualRuns(
            executor: fixture.executor(
                FakeBackup { _ in BackupOutcome(fatal: .failed("down", code: .graphUnavailable)) }))
        let failed = try await failing.runNow(.id(1), actor: "alice", at: EngineFixture.instant("2026-01-01T10:00:00Z"))
        #expect(failed.status == .failed)

        let working = ManualRuns(executor: fixture.executor())
        let retried = try await working.retry(
            runId: failed.rowID, actor: "bob", at: EngineFixture.instant("2026-01-01T10:01:00Z"))
        #expect(retried.trigger == .retry)
        #expect(retried.retryOf == failed.id)
        #expect(retried.status == .success)

        do {
            _ = try await working.retry(
                runId: retried.rowID, actor: "bob", at: EngineFixture.instant("2026-01-01T10:02:00Z"))
            Issue.record("a successful run was retried")
        } catch {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("success"))
        }
    }

    @Test func aHeldScheduleLockSkipsTheRunWithConcurrentRun() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let executor = fixture.executor()
        let held = try #require(try await fixture.store.tryLock(.schedule(1)))
        defer { held.release() }
        let run = try await ManualRuns(executor: executor).runNow(
            .id(1), actor: "alice", at: EngineFixture.instant("2026-01-01T10:00:00Z"))
        #expect(run.status == .skipped)
        #expect(run.errorCode?.rawValue == "CONCURRENT_RUN")
    }
}
