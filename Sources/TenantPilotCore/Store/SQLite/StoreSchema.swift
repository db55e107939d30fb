import GRDB

/// The store's migrations. Each is named and, once released, never edited: a newer binary
/// only appends migrations, and opening an older file applies the missing ones in order.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_initial_schema") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2_history_indexes") { db in
            try db.execute(sql: v2)
        }
        // Rebuilds tables: GRDB runs it with foreign keys off and checks them all before commit.
        migrator.registerMigration("v3_compact_backup_items") { db in
            try db.execute(sql: v3)
        }
        // Rebuilds backup_schedule_runs (StoreSchema+RunsWithoutSchedule.swift).
        migrator.registerMigration("v4_runs_without_schedule") { db in
            try db.execute(sql: v4RunsWithoutSchedule)
        }
        // SQLiteStoreMetaTable.swift.
        migrator.registerMigration("v5_store_meta") { db in
            try db.execute(sql: v5StoreMeta)
        }
        // Rebuilds `tenants` (see StoreSchema+CertificateCredentials.swift).
        migrator.registerMigration(certificateCredentialsMigration, migrate: migrateToCertificateCredentials)
        // SQLiteHookTable.swift.
        migrator.registerMigration("v7_hooks") { db in
            try db.execute(sql: v7Hooks)
        }
        // Pins, calendar rules, removed tenants (StoreSchema+Lifecycle.swift).
        migrator.registerMigration(lifecycleMigration, migrate: migrateToLifecycle)
        // Foreign keys without actions on backup_sets (StoreSchema+ExplicitSetDeletion.swift).
        migrator.registerMigration(explicitSetDeletionMigration, migrate: migrateToExplicitSetDeletion)
        return migrator
    }

    /// Identifiers of all migrations this binary knows, oldest first.
    static var knownMigrations: [String] { migrator.migrations }

    private static let v1 = """
        CREATE TABLE tenants (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            tenant_guid TEXT NOT NULL,
            client_id TEXT NOT NULL,
            secret_env TEXT,
            secret_file TEXT,
            graph_url TEXT NOT NULL,
            authority_url TEXT NOT NULL,
            created_at TEXT NOT NULL,
            CHECK ((secret_env IS NULL) <> (secret_file IS NULL))
        );

        CREATE TABLE policies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            policy_type TEXT NOT NULL,
            graph_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            summary_sha256 TEXT,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            gone_at TEXT,
            UNIQUE (tenant_id, policy_type, graph_id)
        );

        CREATE TABLE backup_schedules (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            timezone TEXT NOT NULL,
            timetable TEXT NOT NULL,
            policy_types TEXT NOT NULL,
            keep_last INTEGER NOT NULL DEFAULT 30 CHECK (keep_last >= 1),
            next_run_at TEXT,
            last_run_at TEXT,
            last_run_status TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            removed_at TEXT
        );
        CREATE UNIQUE INDEX backup_schedules_tenant_name
            ON backup_schedules(tenant_id, name) WHERE removed_at IS NULL;
        CREATE INDEX backup_schedules_due
            ON backup_schedules(next_run_at) WHERE enabled = 1 AND removed_at IS NULL;

        CREATE TABLE backup_sets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            backup_schedule_id INTEGER REFERENCES backup_schedules(id),
            run_id INTEGER,
            status TEXT NOT NULL CHECK (status IN ('building', 'complete', 'partial')),
            item_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            completed_at TEXT
        );

        CREATE TABLE backup_schedule_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            backup_schedule_id INTEGER NOT NULL REFERENCES backup_schedules(id),
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            scheduled_for TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'retry')),
            retry_of INTEGER REFERENCES backup_schedule_runs(id),
            status TEXT NOT NULL
                CHECK (status IN ('pending', 'running', 'success', 'partial', 'failed', 'skipped')),
            error_code TEXT,
            error_message TEXT,
            backup_set_id INTEGER REFERENCES backup_sets(id) ON DELETE SET NULL,
            actor TEXT,
            process TEXT,
            policies_count INTEGER NOT NULL DEFAULT 0,
            items_count INTEGER NOT NULL DEFAULT 0,
            failed_items_count INTEGER NOT NULL DEFAULT 0,
            skipped_types TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            UNIQUE (backup_schedule_id, scheduled_for)
        );
        CREATE INDEX backup_schedule_runs_unfinished
            ON backup_schedule_runs(status) WHERE status IN ('pending', 'running');

        CREATE TABLE backup_payloads (
            sha256 TEXT PRIMARY KEY NOT NULL,
            content BLOB NOT NULL,
            size INTEGER NOT NULL
        );

        CREATE TABLE backup_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            backup_set_id INTEGER NOT NULL REFERENCES backup_sets(id) ON DELETE CASCADE,
            policy_type TEXT NOT NULL,
            graph_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            payload_sha256 TEXT NOT NULL REFERENCES backup_payloads(sha256),
            UNIQUE (backup_set_id, policy_type, graph_id)
        );
        CREATE INDEX backup_items_payload ON backup_items(payload_sha256);

        CREATE TABLE audit_logs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            tenant_id INTEGER REFERENCES tenants(id),
            action TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id TEXT,
            status TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}'
        );

        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            run_id INTEGER REFERENCES backup_schedule_runs(id),
            status TEXT NOT NULL,
            message TEXT NOT NULL,
            created_at TEXT NOT NULL,
            read_at TEXT
        );
        """

    private static let v2 = """
        CREATE INDEX backup_schedule_runs_by_schedule
            ON backup_schedule_runs(backup_schedule_id, id);
        CREATE INDEX backup_sets_by_schedule ON backup_sets(backup_schedule_id, id);
        CREATE INDEX audit_logs_by_tenant ON audit_logs(tenant_id, id);
        CREATE INDEX audit_logs_by_action ON audit_logs(action, id);
        CREATE INDEX notifications_by_actor ON notifications(actor, id);
        """

    /// Backup items become three small integers per policy per set, so that keeping 30 sets of
    /// an unchanged tenant costs little more than one (docs/architecture.md: "almost no space"). What a
    /// policy is (type and Graph id) is stored once in `backup_item_keys`; each distinct capture
    /// of it (display name and payload) once in `backup_item_versions`; payloads get an integer
    /// id. An item names its key, which keeps (set, type, Graph id) unique through the primary
    /// key, and its version, whose key must be the same (the composite foreign key). The
    /// indexes on `version_id` and `payload_id` keep garbage collection to the rows a deletion
    /// touches. Every set, item and payload of a v2 store is carried over. Deleting a set also
    /// clears `backup_schedule_runs.backup_set_id` (ON DELETE SET NULL): its index spares
    /// retention a scan of the whole run history per deleted set.
    private static let v3 = """
        CREATE TABLE backup_payloads_v3 (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            content BLOB NOT NULL
        );
        INSERT INTO backup_payloads_v3 (sha256, size, content)
            SELECT sha256, size, content FROM backup_payloads ORDER BY rowid;

        CREATE TABLE backup_item_keys (
            id INTEGER PRIMARY KEY,
            policy_type TEXT NOT NULL,
            graph_id TEXT NOT NULL,
            UNIQUE (policy_type, graph_id)
        );
        INSERT INTO backup_item_keys (policy_type, graph_id)
            SELECT DISTINCT policy_type, graph_id FROM backup_items ORDER BY policy_type, graph_id;

        CREATE TABLE backup_item_versions (
            id INTEGER PRIMARY KEY,
            key_id INTEGER NOT NULL REFERENCES backup_item_keys(id),
            payload_id INTEGER NOT NULL REFERENCES backup_payloads(id),
            display_name TEXT NOT NULL,
            UNIQUE (key_id, payload_id, display_name),
            UNIQUE (id, key_id)
        );
        CREATE INDEX backup_item_versions_by_payload ON backup_item_versions(payload_id);
        INSERT INTO backup_item_versions (key_id, payload_id, display_name)
            SELECT DISTINCT k.id, p.id, i.display_name
            FROM backup_items i
            JOIN backup_item_keys k ON k.policy_type = i.policy_type AND k.graph_id = i.graph_id
            JOIN backup_payloads_v3 p ON p.sha256 = i.payload_sha256
            ORDER BY k.id, p.id, i.display_name;

        CREATE TABLE backup_items_v3 (
            backup_set_id INTEGER NOT NULL REFERENCES backup_sets(id) ON DELETE CASCADE,
            key_id INTEGER NOT NULL,
            version_id INTEGER NOT NULL,
            PRIMARY KEY (backup_set_id, key_id),
            FOREIGN KEY (version_id, key_id) REFERENCES backup_item_versions(id, key_id)
        ) WITHOUT ROWID;
        INSERT INTO backup_items_v3 (backup_set_id, key_id, version_id)
            SELECT i.backup_set_id, v.key_id, v.id
            FROM backup_items i
            JOIN backup_item_keys k ON k.policy_type = i.policy_type AND k.graph_id = i.graph_id
            JOIN backup_payloads_v3 p ON p.sha256 = i.payload_sha256
            JOIN backup_item_versions v ON v.key_id = k.id AND v.payload_id = p.id AND v.display_name = i.display_name
            ORDER BY i.backup_set_id, v.key_id;

        DROP TABLE backup_items;
        DROP TABLE backup_payloads;
        ALTER TABLE backup_payloads_v3 RENAME TO backup_payloads;
        ALTER TABLE backup_items_v3 RENAME TO backup_items;
        CREATE INDEX backup_items_by_version ON backup_items(version_id, key_id);

        CREATE INDEX backup_schedule_runs_by_set ON backup_schedule_runs(backup_set_id);
        """
}
