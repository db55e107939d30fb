import Foundation
import TenantPilotTestSupport
import Testing

@testable import TenantPilotCore

/// A PostgreSQL store that an older binary wrote, upgraded by this one: the database is made by
/// the migrations up to `v8_lifecycle` exactly as they ran then, filled, and opened by the
/// binary, which applies the rest — `v9_explicit_set_deletion` on rows, with the constraint
/// names that v1 and v3 gave the foreign keys it changes.
@Suite struct PostgreSQLUpgradeTests {
    static var server: TestPostgreSQLServer? { TestPostgreSQLServer.current }

    @Test(.enabled(if: server != nil))
    func aFilledV8StoreIsUpgradedAndItsSetsAreThenDeletedExplicitly() throws {
        let cli = try CLI(.postgreSQL)
        let database = try #require(cli.database)
        let older = PostgreSQLSchema.migrations.prefix { $0.name != StoreSchema.explicitSetDeletionMigration }
        #expect(older.last?.name == StoreSchema.lifecycleMigration)
        _ = try database.query(PostgreSQLSchema.migrationsTable)
        for (name, sql) in older {
            _ = try database.query(sql)
            _ = try database.query("INSERT INTO schema_migrations (identifier) VALUES ('\(name)')")
        }
        _ = try database.query(
            """
            INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
            VALUES ('contoso', '11111111-2222-3333-4444-555555555555', 'app', 'SECRET', 'https://graph.microsoft.com',
                    'https://login.microsoftonline.com', '2026-01-01T00:00:00Z');
            INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, keep_last, created_at,
                                          updated_at)
            VALUES (1, 'nightly', 'UTC', '{"at":["02:00"]}', '["deviceConfiguration"]', 1, '2026-01-01T00:00:00Z',
                    '2026-01-01T00:00:00Z');
            INSERT INTO backup_payloads (sha256, size, content) VALUES ('aaaa', 2, '\\x7b7d'::bytea);
            INSERT INTO backup_item_keys (policy_type, graph_id) VALUES ('deviceConfiguration', 'p1');
            INSERT INTO backup_item_versions (key_id, payload_id, display_name) VALUES (1, 1, 'Policy');
            INSERT INTO backup_sets (tenant_id, backup_schedule_id, status, item_count, created_at, completed_at)
            VALUES (1, 1, 'complete', 1, '2026-01-02T02:00:00Z', '2026-01-02T02:01:00Z');
            INSERT INTO backup_items (backup_set_id, key_id, version_id) VALUES (1, 1, 1);
            INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status,
                                              backup_set_id, created_at)
            VALUES (1, 1, '2026-01-02T02:00:00Z', 'scheduled', 'success', 1, '2026-01-02T02:00:00Z');
            """)
        let actionsBefore = try cli.scalar(
            "SELECT count(*) FROM pg_constraint WHERE confrelid = 'backup_sets'::regclass AND confdeltype <> 'a'")
        #expect(actionsBefore == 2, "v8 has a cascade and a set-null")

        let listed = try cli.run(["backups", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(try cli.scalar("SELECT count(*) FROM schema_migrations") == PostgreSQLSchema.migrations.count)
        #expect(
            try cli.scalar(
                "SELECT count(*) FROM pg_constraint WHERE confrelid = 'backup_sets'::regclass AND confdeltype <> 'a'")
                == 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_items") == 1)
        #expect(try cli.scalar("SELECT count(*) FROM backup_schedule_runs WHERE backup_set_id = 1") == 1)

        let deleted = try cli.run(["backups", "delete", "1"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(try cli.scalar("SELECT count(*) FROM backup_sets") == 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_items") == 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_payloads") == 0)
        #expect(try cli.scalar("SELECT count(*) FROM backup_schedule_runs WHERE backup_set_id IS NULL") == 1)
    }
}
