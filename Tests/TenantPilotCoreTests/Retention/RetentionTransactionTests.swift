import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// How `RetentionService.apply` groups schedules into write transactions: whole schedules, up
/// to `setsPerTransaction` sets deleted each, with the same outcome whatever the grouping, and a
/// schedule that fails undone alone, the ones before it kept.
@Suite struct RetentionTransactionTests {
    let now = BackupTestStore.t0.addingTimeInterval(100 * 86_400)

    /// Three schedules of one tenant, keep-last 1, four sets each (one policy of its own per set).
    private func threeSchedules(_ fixture: BackupTestStore) async throws -> [Int64] {
        let tenant = try fixture.addTenant()
        var schedules: [Int64] = []
        for number in 0..<3 {
            let schedule = try fixture.addSchedule(tenantId: tenant, name: "s\(number)", keepLast: 1)
            for day in 0..<4 {
                try await fixture.makeSet(
                    tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(number * 10 + day)], day: day)
            }
            schedules.append(schedule)
        }
        return schedules
    }

    private func auditCount(_ fixture: BackupTestStore) throws -> Int {
        try fixture.count(
            "SELECT count(*) FROM audit_logs WHERE action = ?", [RetentionService.auditAction.rawValue])
    }

    @Test(arguments: [1, 3, 1_000])
    func everyGroupingDeletesTheSame(setsPerTransaction: Int) async throws {
        let fixture = try await BackupTestStore()
        let schedules = try await threeSchedules(fixture)

        let report = try await RetentionService(store: fixture.store, setsPerTransaction: setsPerTransaction)
            .apply(scheduleId: nil, dryRun: false, actor: "alice", at: now)

        #expect(report.schedules.map(\.scheduleId) == schedules)
        #expect(report.schedules.map(\.setsDeleted) == [3, 3, 3])
        #expect(report.schedules.map(\.payloadsRemoved) == [3, 3, 3])
        #expect(try fixture.count("SELECT count(*) FROM backup_sets") == 3)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 3)
        #expect(try auditCount(fixture) == 3)
    }

    /// Schedules applied in one transaction have their items deleted together; each still
    /// reports, and audits, the orphans its own deletion made: a payload that the old sets of
    /// the first and third schedules share goes with the third, whatever the grouping.
    @Test(arguments: [1, 1_000])
    func sharedPayloadsGoWithTheLastScheduleWhateverTheGrouping(setsPerTransaction: Int) async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        var schedules: [Int64] = []
        for (number, old) in [(0, [1, 2]), (1, [3]), (2, [1, 4])] {
            let schedule = try fixture.addSchedule(tenantId: tenant, name: "s\(number)", keepLast: 1)
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: old.map { SamplePolicies.item($0) }, day: 1)
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(50 + number)], day: 2)
            schedules.append(schedule)
        }

        let report = try await RetentionService(store: fixture.store, setsPerTransaction: setsPerTransaction)
            .apply(scheduleId: nil, dryRun: false, actor: "alice", at: now)

        #expect(report.schedules.map(\.payloadsRemoved) == [1, 1, 2])
        let audited = try fixture.store.writer.read { db in
            try Int.fetchAll(
                db,
                sql: """
                    SELECT json_extract(metadata, '$.payloads_removed') FROM audit_logs
                    WHERE action = ? ORDER BY id
                    """, arguments: [RetentionService.auditAction.rawValue])
        }
        #expect(audited == [1, 1, 2])
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 3)
        #expect(try fixture.count("SELECT count(*) FROM backup_items") == 3)
    }

    @Test func aFailingScheduleIsUndoneAloneAndTheOnesBeforeItStay() async throws {
        let fixture = try await BackupTestStore()
        let schedules = try await threeSchedules(fixture)
        // The second schedule's calendar rule needs a zone the system does not know.
        try fixture.store.writer.write { db in
            try db.execute(
                sql: "UPDATE backup_schedules SET timezone = 'Nowhere/Atlantis', keep_daily = 2 WHERE id = ?",
                arguments: [schedules[1]])
        }

        await #expect(throws: TenantPilotError.self) {
            try await RetentionService(store: fixture.store).apply(
                scheduleId: nil, dryRun: false, actor: "alice", at: now)
        }

        // The first schedule is applied and audited; the second and third are untouched.
        let counts = try schedules.map { id in
            try fixture.count("SELECT count(*) FROM backup_sets WHERE backup_schedule_id = ?", [id])
        }
        #expect(counts == [1, 4, 4])
        #expect(try auditCount(fixture) == 1)
    }
}
