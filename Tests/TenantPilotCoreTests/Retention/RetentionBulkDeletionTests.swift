import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// Retention through one bulk deletion (`Store.bulkDeletionWrite`, `SQLiteBulkDeletion`), as a
/// first application to a long history takes it: the same outcome as deleting row by row, in
/// the report, the audit log and every table, with pinned sets, sets made by hand and the runs'
/// history untouched, no id used twice, and the foreign keys still guarding the store.
@Suite struct RetentionBulkDeletionTests {
    let now = BackupTestStore.t0.addingTimeInterval(100 * 86_400)

    /// Three schedules of keep-last 1 with six daily sets each (18 sets go down to 4: bound to
    /// delete most), payloads shared within and across schedules, a pinned set, a set made by
    /// hand, and a run for every scheduled set.
    private func history(_ fixture: BackupTestStore) async throws -> [Int64] {
        let tenant = try fixture.addTenant()
        var schedules: [Int64] = []
        let old: [[Int]] = [[1, 1, 1, 1, 1], [2, 2, 2, 7, 2], [1, 1, 1, 3, 3]]
        for number in 0..<3 {
            let schedule = try fixture.addSchedule(tenantId: tenant, name: "s\(number)", keepLast: 1)
            for day in 0..<6 {
                let items = day < 5 ? [SamplePolicies.item(old[number][day])] : [SamplePolicies.item(50 + number)]
                let set = try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: items, day: day)
                try fixture.store.writer.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger,
                                status, backup_set_id, created_at)
                            VALUES (?, ?, ?, 'scheduled', 'success', ?, '2026-01-01T00:00:00Z')
                            """,
                        arguments: [schedule, tenant, "2026-01-0\(day + 1)T02:00:00Z", set])
                }
            }
            schedules.append(schedule)
        }
        // The second schedule's fourth set, the only one holding policy 7, is pinned.
        try fixture.store.writer.write { db in
            try db.execute(
                sql: "UPDATE backup_sets SET pinned_at = '2026-01-09T00:00:00Z' WHERE id = ?", arguments: [10])
        }
        try await fixture.makeSet(tenantId: tenant, scheduleId: nil, items: [SamplePolicies.item(9)], day: 3)
        return schedules
    }

    /// Everything a deletion can change, as comparable text: the rows of every table it
    /// touches and the audit entries' metadata.
    private func state(_ fixture: BackupTestStore) throws -> [String] {
        try fixture.store.writer.read { db in
            let queries = [
                "SELECT id, backup_schedule_id, status, pinned_at FROM backup_sets ORDER BY id",
                "SELECT backup_set_id, key_id, version_id FROM backup_items ORDER BY 1, 2",
                "SELECT id, key_id, payload_id FROM backup_item_versions ORDER BY id",
                "SELECT id, sha256 FROM backup_payloads ORDER BY id",
                "SELECT id FROM backup_item_keys ORDER BY id",
                "SELECT id, backup_set_id FROM backup_schedule_runs ORDER BY id",
                "SELECT resource_id, metadata FROM audit_logs WHERE action = 'retention.applied' ORDER BY id",
            ]
            return try queries.map { sql in
                try Row.fetchAll(db, sql: sql).map { row in row.description }.joined(separator: "\n")
            }
        }
    }

    /// Keep-last 1 deletes 14 of the 19 sets (the tables keep the survivors and are emptied),
    /// keep-last 4 deletes 6 (a bulk deletion forced on it deletes them row by row).
    @Test(arguments: [(1, [5, 4, 5], [0, 1, 2]), (4, [2, 2, 2], [0, 0, 0])])
    func theBulkDeletionLeavesWhatDeletingRowByRowLeaves(keepLast: Int, deleted: [Int], payloads: [Int])
        async throws
    {
        var outcomes: [RetentionService.BulkDeletion: ([String], [[Int]])] = [:]
        for way in [RetentionService.BulkDeletion.never, .always, .whenMostSetsGo] {
            let fixture = try await BackupTestStore()
            _ = try await history(fixture)
            try fixture.store.writer.write { db in
                try db.execute(sql: "UPDATE backup_schedules SET keep_last = ?", arguments: [keepLast])
            }
            let report = try await RetentionService(store: fixture.store, bulkDeletion: way)
                .apply(scheduleId: nil, dryRun: false, actor: "alice", at: now)
            let counts = report.schedules.map { [$0.setsDeleted, $0.payloadsRemoved, Int($0.bytesFreed)] }
            outcomes[way] = (try state(fixture), counts)
        }
        let rowByRow = try #require(outcomes[.never])
        #expect(rowByRow.1.map { $0[0] } == deleted)
        // With keep-last 1, policy 1 (held by the old sets of the first and third schedules)
        // goes with the third.
        #expect(rowByRow.1.map { $0[1] } == payloads)
        #expect(outcomes[.always]?.0 == rowByRow.0)
        #expect(outcomes[.always]?.1 == rowByRow.1)
        #expect(outcomes[.whenMostSetsGo]?.0 == rowByRow.0)
        #expect(outcomes[.whenMostSetsGo]?.1 == rowByRow.1)
    }

    @Test func whatStaysIsThePinnedTheNewestTheHandMadeAndTheHistory() async throws {
        let fixture = try await BackupTestStore()
        let schedules = try await history(fixture)
        _ = try await RetentionService(store: fixture.store, bulkDeletion: .always)
            .apply(scheduleId: nil, dryRun: false, actor: "alice", at: now)

        let kept = try fixture.store.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM backup_sets ORDER BY id")
        }
        #expect(kept == [6, 10, 12, 18, 19])
        #expect(try fixture.count("SELECT count(*) FROM backup_items") == 5)
        #expect(try fixture.count("SELECT count(*) FROM backup_schedule_runs") == 18)
        #expect(try fixture.count("SELECT count(*) FROM backup_schedule_runs WHERE backup_set_id IS NOT NULL") == 4)
        #expect(
            try fixture.count("SELECT count(*) FROM backup_sets WHERE backup_schedule_id = ?", [schedules[1]]) == 2)
        // The emptied tables hand out new ids after the old ones (AUTOINCREMENT), and the items
        // of a set written now are found as before.
        let next = try await fixture.makeSet(
            tenantId: 1, scheduleId: schedules[0], items: [SamplePolicies.item(1)], day: 9)
        #expect(next == 20)
        #expect(try await fixture.backups.set(id: next)?.items.count == 1)
    }

    @Test func theStoreDecidesForABulkDeletionOnlyWhenMostSetsMustGo() async throws {
        let fixture = try await BackupTestStore()
        _ = try await history(fixture)
        let census = try await fixture.store.read { tx in try tx.backupSets.retentionCensus() }
        // The pinned set and the set made by hand are not weighed; every set is counted.
        #expect(census == RetentionCensus(sets: 19, weighed: [1: 6, 2: 5, 3: 6]))
        let keepLast1 = RetentionPolicy(keepLast: 1)
        #expect(census.fewestDeleted(under: [1: keepLast1, 2: keepLast1, 3: keepLast1]) == 11)
        #expect(census.deletesMost(under: [1: keepLast1, 2: keepLast1, 3: keepLast1]))
        // Calendar rules keep at most their counts: 1 + 2 + 1 a schedule (and the newest).
        let wider = RetentionPolicy(keepLast: 1, keepDaily: 2, keepMonthly: 1)
        #expect(wider.mostKept == 4)
        #expect(census.fewestDeleted(under: [1: wider, 2: wider, 3: wider]) == 2)
        #expect(!census.deletesMost(under: [1: wider, 2: wider, 3: wider]))
        #expect(RetentionPolicy.standard.mostKept == 30)
    }

    /// A bulk deletion that would leave rows naming what it deleted is undone whole, named as a
    /// corrupt store; and the connection enforces foreign keys again afterwards.
    @Test func aDanglingReferenceUndoesTheBulkDeletionAndTheForeignKeysComeBack() async throws {
        let fixture = try await BackupTestStore()
        _ = try await history(fixture)
        let before = try state(fixture)

        do {
            try await fixture.store.bulkDeletionWrite("delete sets but not their items") { tx in
                try tx.backupSets.delete(Array(1...15))
            }
            Issue.record("the bulk deletion was committed")
        } catch {
            #expect(error.code == .storeCorrupt)
            #expect(error.message.contains("backup_items"), "\(error.message)")
        }
        #expect(try state(fixture) == before)

        // The writer's connection checks foreign keys again, and overwrites deleted content as
        // this SQLite was built to.
        let pragmas = try fixture.store.writer.writeWithoutTransaction { db in
            [try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try Int.fetchOne(db, sql: "PRAGMA secure_delete")]
        }
        let built = try await DatabaseQueue().read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        #expect(pragmas == [1, built])
        await #expect(throws: TenantPilotError.self) {
            try await fixture.store.write { tx in try tx.backupSets.delete([1]) }
        }
        #expect(try state(fixture) == before)
    }

    /// Space comes back both ways: a file mostly free is rewritten at once (`VACUUM`), one
    /// with little free space in incremental steps; either ends with no free page, whole.
    @Test(arguments: [(1, true), (3, false)])
    func theSpaceComesBackWhetherTheFileIsRewrittenOrStepped(keepLast: Int, mostlyFree: Bool) async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: keepLast)
        for day in 0..<4 {
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: SamplePolicies.items(150, revision: day), day: day)
        }
        let report = try await RetentionService(store: fixture.store, vacuumStepPages: 8).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)
        #expect(report.setsDeleted == 4 - keepLast)
        #expect(report.pagesReclaimed > 0)
        let (free, total, autoVacuum, integrity) = try fixture.store.writer.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA freelist_count"), try Int.fetchOne(db, sql: "PRAGMA page_count"),
                try Int.fetchOne(db, sql: "PRAGMA auto_vacuum"), try String.fetchAll(db, sql: "PRAGMA integrity_check")
            )
        }
        #expect(free == 0)
        #expect(autoVacuum == 2, "a rewrite keeps incremental auto-vacuum")
        #expect(integrity == ["ok"])
        // Mostly free: more pages were given back than are left in use.
        #expect((report.pagesReclaimed > (total ?? 0)) == mostlyFree)
    }
}
