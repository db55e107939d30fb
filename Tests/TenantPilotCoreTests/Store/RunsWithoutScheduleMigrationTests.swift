import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// `v4_runs_without_schedule` rebuilds `backup_schedule_runs`: every run of a v3 store keeps its
/// id and its references, every index and the UNIQUE slot constraint stay, and runs without a
/// schedule become possible for the triggers that may have none.
@Suite struct RunsWithoutScheduleMigrationTests {
    static func v3Store(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v3_compact_backup_items")
        try queue.write { db in
            try StoreTests.insertOldTenant(db)
            try db.execute(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, created_at, updated_at)
                    VALUES (1, 'nightly', 'UTC', '{"at":["02:00"]}', '["deviceConfiguration"]', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                    INSERT INTO backup_sets (tenant_id, backup_schedule_id, run_id, status, item_count, created_at)
                    VALUES (1, 1, 1, 'complete', 0, '2026-01-01T02:00:00Z');
                    INSERT INTO backup_schedule_runs (id, backup_schedule_id, tenant_id, scheduled_for, trigger, status, backup_set_id, created_at)
                    VALUES (1, 1, 1, '2026-01-01T02:00:00Z', 'scheduled', 'failed', 1, '2026-01-01T02:00:00Z'),
                           (5, 1, 1, '2026-01-02T02:00:00Z', 'retry', 'success', NULL, '2026-01-02T02:00:00Z');
                    UPDATE backup_schedule_runs SET retry_of = 1 WHERE id = 5;
                    INSERT INTO notifications (actor, type, run_id, status, message, created_at)
                    VALUES ('admin', 'backup_schedule.retry_completed', 5, 'success', 'retry 5 ended success', '2026-01-02T02:05:00Z');
                    """)
        }
        try queue.close()
    }

    @Test func aV3StoresRunsKeepTheirIdsReferencesAndIndexes() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("v3.sqlite")
        try Self.v3Store(path)
        let store = try await Store.open(path: path)
        let (rows, indexes, unique, foreignKeyFaults, next) = try store.writer.read { db in
            (
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT id, backup_schedule_id, retry_of, backup_set_id, trigger, restore_counts, host FROM backup_schedule_runs ORDER BY id"
                ),
                Set(try db.indexes(on: "backup_schedule_runs").map(\.name)),
                try db.indexes(on: "backup_schedule_runs").contains {
                    $0.isUnique && $0.columns == ["backup_schedule_id", "scheduled_for"]
                },
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
                try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'backup_schedule_runs'")
            )
        }
        #expect(rows.map { $0["id"] as Int64 } == [1, 5])
        #expect(rows[1]["retry_of"] as Int64? == 1)
        #expect(rows[0]["backup_set_id"] as Int64? == 1)
        #expect(rows.allSatisfy { ($0["restore_counts"] as String?) == nil && ($0["host"] as String?) == nil })
        #expect(
            indexes.isSuperset(of: [
                "backup_schedule_runs_unfinished", "backup_schedule_runs_by_schedule", "backup_schedule_runs_by_set",
            ]))
        #expect(unique)
        #expect(foreignKeyFaults == 0)
        #expect(next == 5, "new runs keep counting after the old ones")
        let notification = try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT run_id FROM notifications")
        }
        #expect(notification == 5)
    }

    @Test func onlyRestoresAndManualRunsMayHaveNoScheduleAndASlotStillHasOneRun() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("v3.sqlite")
        try Self.v3Store(path)
        let store = try await Store.open(path: path)
        func insert(_ schedule: Int64?, _ trigger: String, _ slot: String = "2026-02-01T00:00:00Z") -> Bool {
            (try? store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status, created_at)
                        VALUES (?, 1, ?, ?, 'pending', '2026-02-01T00:00:00Z')
                        """, arguments: [schedule, slot, trigger])
            }) != nil
        }
        #expect(insert(nil, "restore"))
        #expect(insert(nil, "restore"), "runs without a schedule never collide on a slot")
        #expect(insert(nil, "manual"))
        #expect(insert(1, "manual", "2026-02-02T00:00:00Z"))
        #expect(!insert(nil, "scheduled"))
        #expect(!insert(nil, "retry"))
        #expect(!insert(1, "restore", "2026-02-03T00:00:00Z"), "a restore never belongs to a schedule")
        #expect(!insert(1, "manual", "2026-02-02T00:00:00Z"), "a schedule's slot still has one run")
        #expect(!insert(nil, "bogus"))
    }
}
