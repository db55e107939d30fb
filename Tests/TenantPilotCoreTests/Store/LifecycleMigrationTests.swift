import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// v8_lifecycle: pins, calendar rules, removed tenants; an older store keeps every row, id and
/// reference through the rebuild of `tenants` and `backup_schedules`.
@Suite struct LifecycleMigrationTests {
    static func olderStore(_ folder: TemporaryDirectory) throws -> String {
        let path = folder.file("v6.sqlite")
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: StoreSchema.certificateCredentialsMigration)
        try queue.writeNow { db in
            try StoreTests.insertOldTenant(db)
            try db.execute(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, keep_last,
                                                  created_at, updated_at)
                    VALUES (1, 'nightly', 'Europe/Berlin', '{"at":["02:00"]}', '["deviceConfiguration"]', 14,
                            '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types,
                                                  created_at, updated_at)
                    VALUES (1, 'weekly', 'UTC', '{"at":["03:00"]}', '["deviceConfiguration"]',
                            '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                    INSERT INTO backup_sets (tenant_id, backup_schedule_id, status, created_at)
                    VALUES (1, 1, 'complete', '2026-01-02T01:00:00Z');
                    INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status,
                                                      backup_set_id, created_at)
                    VALUES (1, 1, '2026-01-02T01:00:00Z', 'scheduled', 'success', 1, '2026-01-02T01:00:00Z');
                    INSERT INTO audit_logs (created_at, actor, tenant_id, action, resource_type, status)
                    VALUES ('2026-01-01T00:00:00Z', 'admin', 1, 'tenant.created', 'tenant', 'success');
                    """)
        }
        try queue.close()
        return path
    }

    @Test func anOlderStoreKeepsItsRowsAndTheirReferences() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: try Self.olderStore(folder))
        let (schedules, set, run, violations, indexes) = try store.writer.read { db in
            (
                try Row.fetchAll(
                    db, sql: "SELECT id, name, keep_last, keep_daily, keep_yearly FROM backup_schedules ORDER BY id"),
                try Row.fetchOne(db, sql: "SELECT backup_schedule_id, tenant_id, pinned_at FROM backup_sets"),
                try Int64.fetchOne(db, sql: "SELECT backup_set_id FROM backup_schedule_runs"),
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check"),
                try db.indexes(on: "backup_schedules").map(\.name) + db.indexes(on: "tenants").map(\.name)
            )
        }
        #expect(schedules.map { $0["name"] as String } == ["nightly", "weekly"])
        // An existing keep-last stays an explicit rule, the default one too.
        #expect(schedules.map { $0["keep_last"] as Int? } == [14, 30])
        #expect(schedules.allSatisfy { ($0["keep_daily"] as Int?) == nil && ($0["keep_yearly"] as Int?) == nil })
        #expect(set?["backup_schedule_id"] as Int64? == 1)
        #expect(set?["pinned_at"] as String? == nil)
        #expect(run == 1)
        #expect(violations.isEmpty)
        for index in ["backup_schedules_tenant_name", "backup_schedules_due", "tenants_active_name"] {
            #expect(indexes.contains(index), "\(index) missing")
        }
        let entry = try await ScheduleService(store: store).find(.id(1))
        #expect(entry.schedule.retention == RetentionPolicy(keepLast: 14))
    }

    @Test func theSchemaRefusesZeroCountsAndKeepsActiveNamesUnique() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: try Self.olderStore(folder))
        #expect(throws: DatabaseError.self) {
            try store.writer.write { db in try db.execute(sql: "UPDATE backup_schedules SET keep_daily = 0") }
        }
        try store.writer.write { db in
            try db.execute(sql: "UPDATE backup_schedules SET keep_last = NULL, keep_weekly = 4 WHERE id = 1")
        }
        let duplicate = """
            INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
            VALUES ('old', '11111111-2222-3333-4444-555555555555', 'app2', 'S', 'https://g', 'https://a', '2026-02-01T00:00:00Z')
            """
        #expect(throws: DatabaseError.self) { try store.writer.write { db in try db.execute(sql: duplicate) } }
        try store.writer.write { db in
            try db.execute(sql: "UPDATE tenants SET removed_at = '2026-02-01T00:00:00Z' WHERE id = 1")
            try db.execute(sql: duplicate)
        }
        let names = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM tenants") }
        #expect(names == ["old", "old"])
    }
}
