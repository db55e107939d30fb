import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

@Suite struct DispatcherTests {
    @Test func nothingDueDoesNothingAndWritesNothing() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let auditBefore = try fixture.auditActions()
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("2026-01-01T01:59:59Z"))
        #expect(report.runs.isEmpty)
        #expect(try fixture.runs().isEmpty)
        #expect(try fixture.auditActions() == auditBefore)
    }

    @Test func aDueSlotRunsOnceEvenWhenDispatchedAgain() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let backup = FakeBackup()
        let dispatcher = Dispatcher(executor: fixture.executor(backup))
        let first = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-01T02:00:30Z"))
        let second = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-01T02:01:00Z"))
        #expect(first.runs.map(\.scheduledFor.text) == ["2026-01-01T02:00:00Z"])
        #expect(first.runs.first?.status == .success)
        #expect(second.runs.isEmpty)
        #expect(backup.callCount == 1)
        let schedule = try fixture.schedule(1)
        #expect(schedule?.nextRunAt?.text == "2026-01-02T02:00:00Z")
        #expect(schedule?.lastRunStatus == .success)
        #expect(
            try fixture.auditActions().suffix(4) == [
                "backup_schedule.dispatched", "backup_schedule.run_started", "backup_schedule.retention_applied",
                "backup_schedule.run_completed",
            ])
    }

    @Test(arguments: [("2026-01-01T02:03:00Z", true), ("2026-01-01T02:04:59Z", true), ("2026-01-01T02:05:00Z", false)])
    func aLateTickRunsItsSlotWithinTheGraceWindowOnly(now: String, runs: Bool) async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant(now), grace: 300)
        #expect(report.runs.count == 1)
        #expect(report.runs.first?.status == (runs ? .success : .skipped))
        #expect(report.runs.first?.errorCode == (runs ? nil : .missedSlot))
    }

    @Test func downtimeRecordsOneMissedSlotWithItsCountAndNoCatchUp() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(cron: "*/15 * * * *")
        let backup = FakeBackup()
        // Last dispatch ran before 00:15; the machine was down until 02:07.
        let report = try await Dispatcher(executor: fixture.executor(backup)).dispatch(
            at: EngineFixture.instant("2026-01-01T02:07:00Z"))
        #expect(backup.callCount == 0)
        let runs = try fixture.runs()
        #expect(runs.count == 1)
        #expect(runs.first?.status == .skipped)
        #expect(runs.first?.errorCode?.rawValue == "MISSED_SLOT")
        #expect(runs.first?.scheduledFor.text == "2026-01-01T02:00:00Z")
        #expect(runs.first?.errorMessage?.contains("8 slots missed") == true)
        #expect(report.runs.count == 1)
        let schedule = try fixture.schedule(1)
        #expect(schedule?.nextRunAt?.text == "2026-01-01T02:15:00Z")
    }

    @Test func downtimeEndingInsideAWindowRunsTheDueSlotAndRecordsTheMissedOnes() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(cron: "0 * * * *")
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("2026-01-01T03:02:00Z"))
        #expect(report.runs.map(\.status) == [.skipped, .success])
        #expect(report.runs.map(\.scheduledFor.text) == ["2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z"])
        #expect(report.runs.first?.errorMessage?.contains("2 slots missed") == true)
    }

    @Test func aRunLeftByADeadProcessIsAbandonedAndItsHalfWrittenSetDropped() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        try fixture.sql { db in
            try db.execute(
                sql: """
                    INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status, process, created_at)
                    VALUES (1, 1, '2026-01-01T01:00:00Z', 'manual', 'running', '999999999:1', '2026-01-01T01:00:00Z');
                    INSERT INTO backup_sets (tenant_id, backup_schedule_id, run_id, status, created_at)
                    VALUES (1, 1, 1, 'building', '2026-01-01T01:00:00Z');
                    INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status, process, created_at)
                    VALUES (1, 1, '2026-01-01T01:01:00Z', 'manual', 'running', ?, '2026-01-01T01:01:00Z');
                    """, arguments: [ProcessIdentity.current])
        }
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("2026-01-01T01:30:00Z"))
        #expect(report.abandoned == [1])
        let runs = try fixture.runs()
        #expect(runs[0].status == .failed)
        #expect(runs[0].errorCode?.rawValue == "ABANDONED")
        #expect(runs[1].status == .running, "a run of a live process is never taken")
        let sets = try fixture.count("backup_sets")
        #expect(sets == 0)
    }

    @Test func unknownTypesMakeARunPartialOrSkipped() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(name: "mixed", at: ["02:00"], types: ["deviceConfiguration"])
        try await fixture.addSchedule(name: "legacy", at: ["02:00"], types: ["deviceConfiguration"])
        try fixture.sql { db in
            try db.execute(
                sql:
                    #"UPDATE backup_schedules SET policy_types = '["deviceConfiguration","retiredType"]' WHERE name = 'mixed'"#
            )
            try db.execute(sql: #"UPDATE backup_schedules SET policy_types = '["retiredType"]' WHERE name = 'legacy'"#)
        }
        let backup = FakeBackup()
        let report = try await Dispatcher(executor: fixture.executor(backup)).dispatch(
            at: EngineFixture.instant("2026-01-01T02:00:00Z"))
        let byName = Dictionary(uniqueKeysWithValues: report.runs.map { ($0.schedule, $0) })
        #expect(byName["mixed"]?.status == .partial)
        #expect(byName["mixed"]?.errorCode?.rawValue == "UNKNOWN_POLICY_TYPE")
        #expect(byName["mixed"]?.counts.skippedTypes == ["retiredType"])
        #expect(byName["legacy"]?.status == .skipped)
        #expect(byName["legacy"]?.errorCode?.rawValue == "UNKNOWN_POLICY_TYPE")
        #expect(byName["legacy"]?.backupSetId == nil)
        #expect(backup.callCount == 1)
    }

    @Test func graphFailuresSetStatusAndCode() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(name: "auth", at: ["02:00"], types: ["deviceConfiguration", "roleScopeTag"])
        let backup = FakeBackup { _ in BackupOutcome(fatal: .failed("token refused", code: .graphAuthFailed)) }
        let report = try await Dispatcher(executor: fixture.executor(backup)).dispatch(
            at: EngineFixture.instant("2026-01-01T02:00:00Z"))
        #expect(report.runs.first?.status == .failed)
        #expect(report.runs.first?.errorCode?.rawValue == "GRAPH_AUTH_FAILED")

        let fixture2 = try await EngineFixture()
        try await fixture2.addSchedule(
            name: "forbidden", at: ["02:00"], types: ["deviceConfiguration", "roleScopeTag"])
        let partial = FakeBackup { _ in
            BackupOutcome(
                backupSetId: nil, policies: 3, items: 3,
                failedTypes: [("roleScopeTag", .failed("403", code: .graphForbidden))])
        }
        let report2 = try await Dispatcher(executor: fixture2.executor(partial)).dispatch(
            at: EngineFixture.instant("2026-01-01T02:00:00Z"))
        #expect(report2.runs.first?.status == .failed, "no set stored means nothing usable was captured")
    }
}
