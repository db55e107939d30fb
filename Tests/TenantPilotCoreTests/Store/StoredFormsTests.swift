import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// What the typed records write is what every version of the store has held: instants as
/// `YYYY-MM-DDTHH:MM:SSZ` (slots on the minute), codes and statuses as their names, JSON
/// columns as canonical JSON text.
@Suite struct StoredFormsTests {
    @Test func aRunAndItsScheduleAreStoredInTheirTextForms() async throws {
        let fixture = try await EngineFixture()
        try await fixture.addSchedule(
            name: "mixed", at: ["14:30", "02:00"], types: ["deviceConfiguration", "settingsCatalogPolicy"],
            created: "2026-01-01T00:00:07Z")
        try fixture.sql { db in
            try db.execute(
                sql: #"UPDATE backup_schedules SET policy_types = '["deviceConfiguration","retiredType"]'"#)
        }
        _ = try await Dispatcher(
            executor: fixture.executor(clock: .fixed(EngineFixture.instant("2026-01-01T02:00:42Z")))
        )
        .dispatch(at: EngineFixture.instant("2026-01-01T02:00:42Z"))

        let schedule = try #require(
            try fixture.store.writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM backup_schedules") })
        #expect(schedule["timetable"] as String? == #"{"at":["02:00","14:30"]}"#)
        #expect(schedule["policy_types"] as String? == #"["deviceConfiguration","retiredType"]"#)
        #expect(schedule["created_at"] as String? == "2026-01-01T00:00:07Z")
        #expect(schedule["next_run_at"] as String? == "2026-01-01T14:30:00Z")
        #expect(schedule["last_run_at"] as String? == "2026-01-01T02:00:42Z")
        #expect(schedule["last_run_status"] as String? == "partial")
        #expect(schedule["removed_at"] as String? == nil)

        let run = try #require(
            try fixture.store.writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM backup_schedule_runs") })
        #expect(run["scheduled_for"] as String? == "2026-01-01T02:00:00Z")
        #expect(run["created_at"] as String? == "2026-01-01T02:00:42Z")
        #expect(run["status"] as String? == "partial")
        #expect(run["trigger"] as String? == "scheduled")
        #expect(run["error_code"] as String? == "UNKNOWN_POLICY_TYPE")
        #expect(run["skipped_types"] as String? == #"["retiredType"]"#)
        #expect(run["started_at"] as String? == "2026-01-01T02:00:42Z")

        let audit = try fixture.store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT action, resource_type, metadata FROM audit_logs ORDER BY id")
        }
        let completed = try #require(audit.last)
        #expect(completed["action"] as String? == "backup_schedule.run_completed")
        #expect(completed["resource_type"] as String? == "backup_schedule_run")
        #expect(
            completed["metadata"] as String?
                == #"{"backup_set_id":null,"error_code":"UNKNOWN_POLICY_TYPE","failed_items":0,"items":1,"policies":1,"#
                + #""schedule_id":1,"scheduled_for":"2026-01-01T02:00:00Z","skipped_types":["retiredType"],"#
                + #""status":"partial","trigger":"scheduled"}"#)
    }
}
