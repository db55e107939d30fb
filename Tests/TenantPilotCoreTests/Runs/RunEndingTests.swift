import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// A run's end is one transaction: its set's completion and `backup.created`, retention, the
/// run row, the schedule's last run and `run_completed` land together or not at all. A process
/// that dies before the commit leaves a `running` run and a `building` set, which the next
/// dispatch turns into ABANDONED and nothing — never a listed set under an ABANDONED run.
@Suite struct RunEndingTests {
    /// Captures one policy into a real set and leaves it `building`, as `BackupService` does.
    struct OnePolicyCapture: BackupPerforming {
        let store: Store

        func capture(
            tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, actor: String, at instant: Date,
            progress: (@Sendable (BackupProgress) -> Void)?
        ) async -> BackupOutcome {
            do {
                let sets = BackupSetStore(store: store)
                let id = try await sets.beginSet(
                    tenantId: tenant.rowID, scheduleId: scheduleId, runId: runId, at: instant)
                try await sets.addItems(setId: id, items: [SamplePolicies.item(1)])
                return BackupOutcome(
                    backupSetId: id,
                    completion: BackupCompletion(
                        setId: id, outcome: .complete, instant: instant, tenantId: tenant.id, scheduleId: scheduleId,
                        runId: runId,
                        actor: actor, items: 1, failedItems: 0, types: types.map(\.key)),
                    policies: 1, items: 1)
            } catch {
                return BackupOutcome(fatal: error)
            }
        }
    }

    @Test func aRunsSetCompletesInTheTransactionThatEndsTheRun() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let run = try await ManualRuns(executor: fixture.executor(OnePolicyCapture(store: fixture.store)))
            .runNow(.id(1), actor: "alice", at: EngineFixture.instant("2026-01-01T10:00:00Z"))
        #expect(run.status == .success)
        let setId = try #require(run.backupSetId)
        #expect(try await BackupSetStore(store: fixture.store).set(id: setId)?.summary.status == .complete)
        #expect(
            try fixture.auditActions().suffix(4) == [
                "backup_schedule.run_started", "backup.created", "backup_schedule.retention_applied",
                "backup_schedule.run_completed",
            ])
    }

    @Test func aCrashBeforeTheRunsEndLeavesItsSetUnlistedAndTheNextDispatchDropsIt() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        // The run's final row cannot be written: the process "dies" inside its last transaction,
        // after the set's completion and its audit entry were written in it.
        try fixture.sql { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER crash_before_the_runs_end BEFORE UPDATE OF finished_at ON backup_schedule_runs
                    WHEN NEW.finished_at IS NOT NULL
                    BEGIN SELECT RAISE(ABORT, 'simulated crash before the run''s end'); END
                    """)
        }
        let runs = ManualRuns(executor: fixture.executor(OnePolicyCapture(store: fixture.store)))
        do {
            _ = try await runs.runNow(.id(1), actor: "alice", at: EngineFixture.instant("2026-01-01T10:00:00Z"))
            Issue.record("the run's end was written despite the crash")
        } catch {
            #expect(error.code == .storeUnavailable)
        }
        #expect(
            try await BackupSetStore(store: fixture.store).listSets().isEmpty,
            "a set is listed although its run never ended")
        #expect(try fixture.count("backup_sets WHERE status = 'building'") == 1)
        #expect(try !fixture.auditActions().contains("backup.created"))
        #expect(try fixture.runs().map(\.status) == [.running])

        // The process is gone: the next dispatch finds its run abandoned and drops the set.
        try fixture.sql { db in
            try db.execute(sql: "DROP TRIGGER crash_before_the_runs_end")
            try db.execute(sql: "UPDATE backup_schedule_runs SET process = '999999999:1'")
        }
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("2026-01-01T10:05:00Z"))
        #expect(report.abandoned == [1])
        let run = try #require(try fixture.runs().first)
        #expect(run.status == .failed)
        #expect(run.errorCode == .abandoned)
        #expect(run.backupSetId == nil)
        #expect(try fixture.count("backup_sets") == 0)
        #expect(try fixture.count("backup_items") == 0)
        #expect(try !fixture.auditActions().contains("backup.created"))
    }

    @Test func aRunStartsAndAuditsItsStartInOneTransaction() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        // Its audit entry cannot be written: the run must not be marked running either.
        try fixture.sql { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER no_run_started BEFORE INSERT ON audit_logs WHEN NEW.action = 'backup_schedule.run_started'
                    BEGIN SELECT RAISE(ABORT, 'no audit'); END
                    """)
        }
        let runs = ManualRuns(executor: fixture.executor())
        await #expect(throws: TenantPilotError.self) {
            _ = try await runs.runNow(.id(1), actor: "alice", at: EngineFixture.instant("2026-01-01T10:00:00Z"))
        }
        #expect(try fixture.runs().map(\.status) == [.pending])
    }
}
