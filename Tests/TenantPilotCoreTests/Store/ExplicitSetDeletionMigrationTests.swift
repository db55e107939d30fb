import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// v9_explicit_set_deletion: the foreign keys that point at `backup_sets` keep their reference
/// and lose their actions; an older store keeps every row and index through the rebuild of
/// `backup_items` and `backup_schedule_runs`, and deleting a set is the explicit work of
/// `BackupSetDeletion`.
@Suite struct ExplicitSetDeletionMigrationTests {
    /// A v8 store: one tenant, one schedule, two sets of one item each (the first alone holding
    /// its payload), a run per set, and the newest run (id 3) deleted.
    static func olderStore(_ folder: TemporaryDirectory) throws -> String {
        let path = folder.file("v8.sqlite")
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: StoreSchema.lifecycleMigration)
        try queue.writeNow { db in
            try StoreTests.insertOldTenant(db)
            try db.execute(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, keep_last,
                                                  created_at, updated_at)
                    VALUES (1, 'nightly', 'UTC', '{"at":["02:00"]}', '["deviceConfiguration"]', 1,
                            '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                    INSERT INTO backup_payloads (id, sha256, size, content) VALUES
                        (1, 'aaaa', 2, x'7b7d'), (2, 'bbbb', 3, x'7b317d');
                    INSERT INTO backup_item_keys (id, policy_type, graph_id) VALUES (1, 'deviceConfiguration', 'p1');
                    INSERT INTO backup_item_versions (id, key_id, payload_id, display_name) VALUES
                        (1, 1, 1, 'Policy'), (2, 1, 2, 'Policy');
                    INSERT INTO backup_sets (id, tenant_id, backup_schedule_id, status, item_count, created_at)
                    VALUES (1, 1, 1, 'complete', 1, '2026-01-02T02:00:00Z'),
                           (2, 1, 1, 'complete', 1, '2026-01-03T02:00:00Z');
                    INSERT INTO backup_items (backup_set_id, key_id, version_id) VALUES (1, 1, 1), (2, 1, 2);
                    INSERT INTO backup_schedule_runs (id, backup_schedule_id, tenant_id, scheduled_for, trigger,
                                                      status, backup_set_id, created_at)
                    VALUES (1, 1, 1, '2026-01-02T02:00:00Z', 'scheduled', 'success', 1, '2026-01-02T02:00:00Z'),
                           (2, 1, 1, '2026-01-03T02:00:00Z', 'scheduled', 'success', 2, '2026-01-03T02:00:00Z'),
                           (3, 1, 1, '2026-01-04T02:00:00Z', 'scheduled', 'failed', NULL, '2026-01-04T02:00:00Z');
                    DELETE FROM backup_schedule_runs WHERE id = 3;
                    """)
        }
        try queue.close()
        return path
    }

    /// The `ON DELETE` of each foreign key from `table` to `backup_sets`.
    static func actions(_ db: Database, of table: String) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(table))")
            .filter { ($0["table"] as String) == "backup_sets" }
            .map { $0["on_delete"] as String }
    }

    @Test func theReferencesToSetsStayWithoutActionsAndEveryRowAndIndexIsKept() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: try Self.olderStore(folder))
        let (itemActions, runActions, items, runs, violations, indexes) = try store.writer.read { db in
            (
                try Self.actions(db, of: "backup_items"),
                try Self.actions(db, of: "backup_schedule_runs"),
                try Row.fetchAll(db, sql: "SELECT backup_set_id, key_id, version_id FROM backup_items ORDER BY 1"),
                try Row.fetchAll(db, sql: "SELECT id, backup_set_id, status FROM backup_schedule_runs ORDER BY id"),
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check"),
                try db.indexes(on: "backup_items").map(\.name) + db.indexes(on: "backup_schedule_runs").map(\.name)
            )
        }
        #expect(itemActions == ["NO ACTION"])
        #expect(runActions == ["NO ACTION"])
        #expect(
            items.map { [$0["backup_set_id"], $0["key_id"], $0["version_id"]] as [Int64] } == [[1, 1, 1], [2, 1, 2]])
        #expect(runs.map { $0["backup_set_id"] as Int64? } == [1, 2])
        #expect(violations.isEmpty)
        // The rebuild keeps the ids handed out: the deleted newest run's id is not given again.
        let next = try store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status,
                                                      created_at)
                    VALUES (1, 1, '2026-01-05T02:00:00Z', 'scheduled', 'pending', '2026-01-05T02:00:00Z')
                    """)
            return db.lastInsertedRowID
        }
        #expect(next == 4)
        for index in [
            "backup_items_by_version", "backup_schedule_runs_by_set", "backup_schedule_runs_by_schedule",
            "backup_schedule_runs_unfinished",
        ] {
            #expect(indexes.contains(index), "\(index) missing")
        }
        // The slot's uniqueness (the idempotency of dispatch) survives the rebuild.
        #expect(throws: DatabaseError.self) {
            try store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger,
                                                          status, created_at)
                        VALUES (1, 1, '2026-01-02T02:00:00Z', 'scheduled', 'pending', '2026-01-02T02:00:00Z')
                        """)
            }
        }
    }

    @Test func aSetStillReferencedCannotBeDeletedBehindTheDeletionsBack() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: try Self.olderStore(folder))
        // Nothing cascades any more: the items (and the run) must go first.
        #expect(throws: DatabaseError.self) {
            try store.writer.write { db in try db.execute(sql: "DELETE FROM backup_sets WHERE id = 1") }
        }
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_sets") } == 2)
    }

    @Test func deletingASetDeletesItsItemsAndWhatOnlyItHeldAndKeepsItsRunWithoutIt() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: try Self.olderStore(folder))
        let removed = try await store.write { tx in try BackupSetDeletion.delete(tx, setIds: [1]) }
        #expect(removed.map(\.sha256) == ["aaaa"])
        let (sets, items, versions, payloads, keys, runs) = try store.writer.read { db in
            (
                try Int64.fetchAll(db, sql: "SELECT id FROM backup_sets ORDER BY id"),
                try Int64.fetchAll(db, sql: "SELECT backup_set_id FROM backup_items ORDER BY 1"),
                try Int64.fetchAll(db, sql: "SELECT id FROM backup_item_versions ORDER BY id"),
                try String.fetchAll(db, sql: "SELECT sha256 FROM backup_payloads ORDER BY id"),
                try Int64.fetchAll(db, sql: "SELECT id FROM backup_item_keys ORDER BY id"),
                try Row.fetchAll(db, sql: "SELECT id, backup_set_id FROM backup_schedule_runs ORDER BY id")
            )
        }
        #expect(sets == [2])
        #expect(items == [2])
        #expect(versions == [2])
        #expect(payloads == ["bbbb"])
        // The key is still the second set's.
        #expect(keys == [1])
        #expect(runs.map { $0["id"] as Int64 } == [1, 2])
        #expect(runs.map { $0["backup_set_id"] as Int64? } == [nil, 2])
    }

    /// The deletion finds what it leaves unreferenced by counting before it deletes (no
    /// `RETURNING`, which SQLite before 3.35 lacks): the version and payload only the first set
    /// named, not the key the second set still names.
    @Test func theItemsDeletionFindsWhatNothingElseReferences() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: try Self.olderStore(folder))
        let garbage = try store.writer.write { db in
            try SQLiteBackupItemTable(db: db).deleteItems(ofSets: [1])
        }
        #expect(garbage.versionIds == [1])
        #expect(garbage.payloads.map(\.sha256) == ["aaaa"])
        #expect(garbage.keyIds.isEmpty)
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_items") } == 1)
    }
}
