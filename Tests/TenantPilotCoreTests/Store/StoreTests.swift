import Foundation
import GRDB
import Testing
@testable import TenantPilotCore

@Suite struct StoreTests {
    @Test func newStoreIsPrivateWALWithForeignKeysAndEverySpecTable() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("state/nested/tp.sqlite")
        let store = try Store.open(path: path)

        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let folderMode = try FileManager.default.attributesOfItem(atPath: folder.file("state/nested"))[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(folderMode == 0o700)

        let (journal, foreignKeys, autoVacuum, tables, applied) = try store.writer.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                try Int.fetchOne(db, sql: "PRAGMA auto_vacuum"),
                Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")),
                try StoreSchema.migrator.appliedIdentifiers(db)
            )
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
        #expect(autoVacuum == 2)
        #expect(tables.isSuperset(of: [
            "tenants", "policies", "backup_schedules", "backup_schedule_runs", "backup_sets", "backup_items",
            "audit_logs", "notifications",
        ]))
        #expect(applied == Set(StoreSchema.knownMigrations))
    }

    @Test func olderFileIsMigratedForwardKeepingItsRows() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("old.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v1_initial_schema")
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                        VALUES ('old', '11111111-2222-3333-4444-555555555555', 'app', 'SECRET', 'https://g', 'https://a', '2026-01-01T00:00:00Z')
                        """)
            }
            try queue.close()
        }
        let store = try Store.open(path: path)
        let (applied, name, indexes) = try store.writer.read { db in
            (
                try StoreSchema.migrator.appliedIdentifiers(db),
                try String.fetchOne(db, sql: "SELECT name FROM tenants"),
                try db.indexes(on: "audit_logs").map(\.name)
            )
        }
        #expect(applied == Set(StoreSchema.knownMigrations))
        #expect(name == "old")
        #expect(indexes.contains("audit_logs_by_action"))
    }

    @Test func fileFromANewerBinaryIsRefused() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("new.sqlite")
        let store = try Store.open(path: path)
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99_from_the_future')")
        }
        #expect(throws: TenantPilotError.self) { try Store.open(path: path) }
        do {
            _ = try Store.open(path: path)
        } catch {
            #expect(error.code == "STORE_TOO_NEW")
            #expect(error.message.contains("v99_from_the_future"))
        }
    }

    @Test func aSlotHoldsOneRunOnly() throws {
        let folder = TemporaryDirectory()
        let store = try Store.open(path: folder.file("tp.sqlite"))
        try store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES ('t', '11111111-2222-3333-4444-555555555555', 'app', 'S', 'https://g', 'https://a', 'now');
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, created_at, updated_at)
                    VALUES (1, 's', 'UTC', '{}', '[]', 'now', 'now');
                    INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status, created_at)
                    VALUES (1, 1, '2026-01-01T02:00:00Z', 'scheduled', 'pending', 'now');
                    """)
        }
        #expect(throws: DatabaseError.self) {
            try store.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status, created_at)
                        VALUES (1, 1, '2026-01-01T02:00:00Z', 'manual', 'pending', 'now')
                        """)
            }
        }
    }
}
