import GRDB

extension StoreSchema {
    /// `v4_runs_without_schedule`: a run need not belong to a schedule any more. A restore
    /// (trigger `restore`) never has one, and a manual backup of a tenant (`backups create`)
    /// may have none; scheduled runs and retries always have one (CHECK). Adds the counts of a
    /// restore (`restore_counts`, JSON `{"created", "updated", "deleted", "failed"}`, NULL for
    /// backups) and the host that executed the run (`host`, NULL until recorded).
    ///
    /// SQLite cannot change a column's NOT NULL or a CHECK in place: the table is rebuilt (new
    /// table, copy every row with its id, drop, rename) and its indexes made again. UNIQUE
    /// (`backup_schedule_id`, `scheduled_for`) stays: runs without a schedule never collide
    /// (NULLs are distinct), so a slot's run still exists at most once per schedule. Rows that
    /// point at runs (`retry_of`, `notifications.run_id`) keep their ids.
    static let v4RunsWithoutSchedule = """
        CREATE TABLE backup_schedule_runs_v4 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            backup_schedule_id INTEGER REFERENCES backup_schedules(id),
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            scheduled_for TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'retry', 'restore')),
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
            restore_counts TEXT,
            host TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            UNIQUE (backup_schedule_id, scheduled_for),
            CHECK (
                (trigger IN ('scheduled', 'retry') AND backup_schedule_id IS NOT NULL)
                OR trigger = 'manual'
                OR (trigger = 'restore' AND backup_schedule_id IS NULL))
        );
        INSERT INTO backup_schedule_runs_v4
            (id, backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, error_code, error_message,
             backup_set_id, actor, process, policies_count, items_count, failed_items_count, skipped_types,
             created_at, started_at, finished_at)
            SELECT id, backup_schedule_id, tenant_id, scheduled_for, trigger, retry_of, status, error_code, error_message,
                   backup_set_id, actor, process, policies_count, items_count, failed_items_count, skipped_types,
                   created_at, started_at, finished_at
            FROM backup_schedule_runs ORDER BY id;
        DROP TABLE backup_schedule_runs;
        ALTER TABLE backup_schedule_runs_v4 RENAME TO backup_schedule_runs;
        CREATE INDEX backup_schedule_runs_unfinished
            ON backup_schedule_runs(status) WHERE status IN ('pending', 'running');
        CREATE INDEX backup_schedule_runs_by_schedule
            ON backup_schedule_runs(backup_schedule_id, id);
        CREATE INDEX backup_schedule_runs_by_set ON backup_schedule_runs(backup_set_id);
        """
}
