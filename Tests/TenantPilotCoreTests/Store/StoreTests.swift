import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

@Suite struct StoreTests {
    @Test func newStoreIsPrivateWALWithForeignKeysAndEverySpecTable() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("state/nested/tp.sqlite")
        let store = try await Store.open(path: path)

        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let folderMode =
            try FileManager.default.attributesOfItem(atPath: folder.file("state/nested"))[.posixPermissions] as? Int
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
        #expect(
            tables.isSuperset(of: [
                "tenants", "policies", "backup_schedules", "backup_schedule_runs", "backup_sets", "backup_items",
                "audit_logs", "notifications",
            ]))
        #expect(applied == Set(StoreSchema.knownMigrations))
    }

    /// Tenant 1 of the older-schema stores below, written with raw SQL (no service code runs
    /// against a schema it was not written for).
    static func insertOldTenant(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                VALUES ('old', '11111111-2222-3333-4444-555555555555', 'app', 'SECRET', 'https://g', 'https://a', '2026-01-01T00:00:00Z')
                """)
    }

    @Test func olderFileIsMigratedForwardKeepingItsRows() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("old.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v1_initial_schema")
            try queue.writeNow { db in
                try Self.insertOldTenant(db)
            }
            try queue.close()
        }
        let store = try await Store.open(path: path)
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

    /// v3 rebuilt `backup_items` and `backup_payloads`: a v2 store's sets must read the same
    /// afterwards, item for item and payload for payload, a set still being written included.
    @Test func aV2StoreKeepsEverySetItemAndPayloadThroughTheCompactSchema() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("v2.sqlite")
        struct OldItem: Hashable {
            var set: Int64, type: String, graphId: String, name: String, payload: JSONValue
        }
        let shared: JSONValue = .object(["id": .string("shared"), "settings": .array([.int(1), .null])])
        let renamedBefore: JSONValue = .object(["id": .string("p1"), "displayName": .string("Baseline")])
        let renamedAfter: JSONValue = .object(["id": .string("p1"), "displayName": .string("Baseline (new)")])
        let old = [
            OldItem(set: 1, type: "deviceConfiguration", graphId: "p1", name: "Baseline", payload: renamedBefore),
            OldItem(set: 1, type: "deviceConfiguration", graphId: "p2", name: "Two", payload: shared),
            OldItem(set: 1, type: "roleScopeTag", graphId: "p2", name: "Same id, other type", payload: shared),
            OldItem(set: 2, type: "deviceConfiguration", graphId: "p1", name: "Baseline (new)", payload: renamedAfter),
            OldItem(set: 2, type: "deviceConfiguration", graphId: "p2", name: "Two", payload: shared),
            OldItem(set: 3, type: "deviceConfiguration", graphId: "p2", name: "Two", payload: shared),
        ]
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v2_history_indexes")
            try queue.writeNow { db in
                try Self.insertOldTenant(db)
                try db.execute(
                    sql: """
                        INSERT INTO backup_sets (tenant_id, status, item_count, created_at, completed_at) VALUES
                            (1, 'complete', 3, '2026-01-01T02:00:00Z', '2026-01-01T02:01:00Z'),
                            (1, 'partial', 2, '2026-01-02T02:00:00Z', '2026-01-02T02:01:00Z'),
                            (1, 'building', 0, '2026-01-03T02:00:00Z', NULL);
                        """)
                for item in old {
                    let (sha256, data) = PayloadHash.canonical(item.payload)
                    try db.execute(
                        sql:
                            "INSERT INTO backup_payloads (sha256, content, size) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        arguments: [sha256, data, data.count])
                    try db.execute(
                        sql: """
                            INSERT INTO backup_items (backup_set_id, policy_type, graph_id, display_name, payload_sha256)
                            VALUES (?, ?, ?, ?, ?)
                            """,
                        arguments: [item.set, item.type, item.graphId, item.name, sha256])
                }
            }
            try queue.close()
        }

        let store = try await Store.open(path: path)
        let backups = BackupSetStore(store: store)
        for set in Int64(1)...2 {
            let expected = old.filter { $0.set == set }
                .map {
                    BackupItemRecord(
                        typeKey: $0.type, graphId: $0.graphId, displayName: $0.name,
                        sha256: PayloadHash.canonical($0.payload).sha256)
                }
                .sorted { ($0.typeKey, $0.displayName, $0.graphId) < ($1.typeKey, $1.displayName, $1.graphId) }
            let detail = try #require(try await backups.set(id: set))
            #expect(detail.items == expected)
            #expect(detail.summary.itemCount == expected.count)
        }
        #expect(try await backups.set(id: 3) == nil, "a set being written stays invisible")
        for item in old {
            #expect(try await backups.payload(sha256: PayloadHash.canonical(item.payload).sha256) == item.payload)
        }
        let (payloads, keys, versions, building, sizes) = try store.writer.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_payloads"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_item_keys"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_item_versions"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_items WHERE backup_set_id = 3"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backup_payloads WHERE size <> length(content)")
            )
        }
        #expect(payloads == 3)
        #expect(keys == 3)
        #expect(versions == 4)
        #expect(building == 1)
        #expect(sizes == 0)

        // The migrated store is written and pruned like a new one.
        try await backups.addItems(
            setId: 3,
            items: [
                NewBackupItem(
                    typeKey: "deviceConfiguration", graphId: "p1", displayName: "Baseline (new)", payload: renamedAfter)
            ])
        try await backups.completeSet(setId: 3, status: .complete, at: Date(timeIntervalSince1970: 1_780_000_000))
        #expect(try await backups.set(id: 3)?.items.count == 2)
        #expect(
            try store.writer.read { db in try db.indexes(on: "backup_schedule_runs").map(\.name) }.contains(
                "backup_schedule_runs_by_set"))
    }

    /// Rebuilding `backup_items` frees the old table's pages; opening the store gives them back
    /// to the file system at once, so an upgrade does not leave the file at its largest.
    @Test func migratingAStoreWithDataGivesTheFreedPagesBack() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("v2-large.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransactionNow { db in try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
            try StoreSchema.migrator.migrate(queue, upTo: "v2_history_indexes")
            try queue.writeNow { db in
                try Self.insertOldTenant(db)
                let (sha256, data) = PayloadHash.canonical(.object(["id": .string("same")]))
                try db.execute(
                    sql: "INSERT INTO backup_payloads (sha256, content, size) VALUES (?, ?, ?)",
                    arguments: [sha256, data, data.count])
                for set in 1...20 {
                    try db.execute(
                        sql:
                            "INSERT INTO backup_sets (tenant_id, status, item_count, created_at) VALUES (1, 'complete', 200, '2026-01-01T00:00:00Z')"
                    )
                    for policy in 0..<200 {
                        try db.execute(
                            sql: """
                                INSERT INTO backup_items (backup_set_id, policy_type, graph_id, display_name, payload_sha256)
                                VALUES (?, 'deviceConfiguration', ?, ?, ?)
                                """,
                            arguments: [
                                set, "00000000-0000-4000-8000-\(String(format: "%012d", policy))",
                                "Policy number \(policy)", sha256,
                            ])
                    }
                }
            }
            try queue.close()
        }
        let before = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let store = try await Store.open(path: path)
        let free = try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") }
        #expect(free == 0)
        try store.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        let after = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(after < before, "4,000 text items rewritten as integers: \(before) → \(after) bytes")
        #expect(try await BackupSetStore(store: store).set(id: 20)?.items.count == 200)
    }

    @Test func fileFromANewerBinaryIsRefused() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("new.sqlite")
        let store = try await Store.open(path: path)
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99_from_the_future')")
        }
        await #expect(throws: TenantPilotError.self) { try await Store.open(path: path) }
        do {
            _ = try await Store.open(path: path)
        } catch {
            #expect(error.code.rawValue == "STORE_TOO_NEW")
            #expect(error.message.contains("v99_from_the_future"))
        }
    }

    @Test func aSlotHoldsOneRunOnly() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: folder.file("tp.sqlite"))
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
