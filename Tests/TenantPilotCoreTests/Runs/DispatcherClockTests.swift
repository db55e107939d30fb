import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// Dispatch with a clock that moved the wrong way, zone rules that changed under the store, and
/// gaps of centuries: due slots are never lost, no slot runs twice, and every dispatch ends.
@Suite(.timeLimit(.minutes(2))) struct DispatcherClockTests {
    @Test func aRehearsalAheadOfTimeNoLongerHoldsRealDispatchesBack() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let dispatcher = Dispatcher(executor: fixture.executor())
        // A rehearsal with --now a year ahead advances the next slot into that year.
        _ = try await dispatcher.dispatch(at: EngineFixture.instant("2027-01-01T02:00:30Z"))
        #expect(try fixture.schedule(1)?.nextRunAt?.text == "2027-01-02T02:00:00Z")
        // Back to real time: the slot of today is due and runs.
        let real = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-05T02:01:00Z"))
        #expect(real.realigned == .clockSteppedBack(lastDispatch: "2027-01-01T02:00:30Z"))
        #expect(real.runs.map(\.scheduledFor.text) == ["2026-01-05T02:00:00Z"])
        #expect(real.runs.first?.status == .success)
        #expect(try fixture.schedule(1)?.nextRunAt?.text == "2026-01-06T02:00:00Z")
    }

    @Test func aSlotThatRanBeforeTheClockSteppedBackNeverRunsAgain() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let backup = FakeBackup()
        let dispatcher = Dispatcher(executor: fixture.executor(backup))
        _ = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-05T02:00:10Z"))
        _ = try await dispatcher.dispatch(at: EngineFixture.instant("2026-03-01T00:00:00Z"))
        let again = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-05T02:02:00Z"))
        #expect(again.realigned != nil)
        #expect(again.runs.isEmpty, "the UNIQUE slot still has its run")
        #expect(backup.callCount == 1)
    }

    @Test func aSmallDifferenceBetweenDispatchersIsNotAStepBack() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let dispatcher = Dispatcher(executor: fixture.executor())
        _ = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-05T02:00:40Z"))
        let second = try await dispatcher.dispatch(at: EngineFixture.instant("2026-01-05T02:00:05Z"))
        #expect(second.realigned == nil)
    }

    @Test func newZoneDataRecomputesEveryNextSlotSoADueSlotIsNotMissed() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(zone: "Europe/Berlin", at: ["02:00"])
        let dispatcher = Dispatcher(executor: fixture.executor())
        _ = try await dispatcher.dispatch(at: EngineFixture.instant("2026-06-01T12:00:00Z"))
        // As if older rules had put 02:00 Berlin an hour later, and the binary was upgraded since.
        try fixture.sql { db in
            try db.execute(sql: "UPDATE backup_schedules SET next_run_at = '2026-06-02T01:00:00Z'")
            try SQLiteStoreMetaTable(db: db).set(.zoneDataVersion, "1999z")
        }
        let report = try await dispatcher.dispatch(at: EngineFixture.instant("2026-06-02T00:01:00Z"))
        #expect(report.realigned == .zoneDataChanged(from: "1999z", to: ScheduleZone.dataVersion))
        #expect(report.runs.map(\.scheduledFor.text) == ["2026-06-02T00:00:00Z"])
        #expect(report.runs.first?.status == .success)
        let version = try fixture.store.writer.read { db in try SQLiteStoreMetaTable(db: db).value(.zoneDataVersion) }
        #expect(version == ScheduleZone.dataVersion)
    }

    @Test func theFirstDispatchRecordsTheZoneDataWithoutRecomputing() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(at: ["02:00"])
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("2026-01-01T01:00:00Z"))
        #expect(report.realigned == nil)
        #expect(
            try fixture.store.writer.read { db in try SQLiteStoreMetaTable(db: db).value(.zoneDataVersion) }
                == ScheduleZone.dataVersion)
    }

    @Test func millionsOfMissedMinutesAreCountedInBoundedTime() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(cron: "* * * * *")
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("9999-06-01T12:00:00Z"))
        let missed = try #require(report.runs.first { $0.errorCode == .missedSlot })
        #expect(
            missed.errorMessage?.hasPrefix("more than 10,000 slots missed") == true, "\(missed.errorMessage ?? "")")
        #expect(report.runs.contains { $0.scheduledFor.text == "9999-06-01T12:00:00Z" && $0.status == .success })
    }

    @Test func aFewMissedSlotsAreStillCountedExactly() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(cron: "0 * * * *")
        let report = try await Dispatcher(executor: fixture.executor()).dispatch(
            at: EngineFixture.instant("2026-01-02T00:30:00Z"))
        let missed = try #require(report.runs.first { $0.errorCode == .missedSlot })
        #expect(missed.errorMessage?.hasPrefix("24 slots missed") == true, "\(missed.errorMessage ?? "")")
    }
}
