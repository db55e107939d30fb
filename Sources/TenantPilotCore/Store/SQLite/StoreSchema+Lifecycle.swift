import GRDB

// MARK: - v8_lifecycle (issue 14: tenants and backups lifecycle)
//
// Kept apart from the other migrations so that branches adding theirs merge without touching
// this one: `StoreSchema.migrator` registers it with one line.

extension StoreSchema {
    static let lifecycleMigration = "v8_lifecycle"

    /// What the lifecycle of tenants and sets needs:
    ///
    /// - **Pins** (`backup_sets.pinned_at`, `pin_note`): a pinned set is kept by every retention
    ///   rule; `pinned_at` NULL means not pinned.
    /// - **Calendar rules** (`backup_schedules.keep_daily`, `keep_weekly`, `keep_monthly`,
    ///   `keep_yearly`), and `keep_last` made nullable without a default: NULL is "no such rule",
    ///   and a schedule with no rule at all keeps its newest 30 (`RetentionPolicy`). Existing
    ///   schedules keep the `keep_last` they have, as an explicit rule.
    /// - **Removed tenants** (`tenants.removed_at`, `purged_at`): a removed tenant's row stays, so
    ///   that its kept sets and runs, and every audit entry (`audit_logs.tenant_id`), still name
    ///   it; a purge deletes what the tenant owned but leaves the row. A tenant's name is unique
    ///   among the tenants that are not removed (`tenants_active_name`), so a departed customer's
    ///   name can be registered again; (tenant id, client id) is looked up through
    ///   `tenants_by_application` (not unique: older stores may hold such duplicates already).
    ///
    /// SQLite cannot drop a NOT NULL, a DEFAULT or a column's UNIQUE in place: `tenants` and
    /// `backup_schedules` are rebuilt the documented way (create, copy, drop, rename) from their
    /// own stored schema, so columns and indexes that other migrations added are carried over.
    /// GRDB runs migrations with foreign keys off and checks them all before commit.
    static func migrateToLifecycle(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE backup_sets ADD COLUMN pinned_at TEXT")
        try db.execute(sql: "ALTER TABLE backup_sets ADD COLUMN pin_note TEXT")
        try db.execute(sql: "CREATE INDEX backup_sets_by_tenant ON backup_sets(tenant_id, id)")

        try rebuild(
            db, table: "tenants", for: lifecycleMigration,
            replacing: [("name TEXT NOT NULL UNIQUE", "name TEXT NOT NULL")])
        try db.execute(sql: "ALTER TABLE tenants ADD COLUMN removed_at TEXT")
        try db.execute(sql: "ALTER TABLE tenants ADD COLUMN purged_at TEXT")
        try db.execute(sql: "CREATE UNIQUE INDEX tenants_active_name ON tenants(name) WHERE removed_at IS NULL")
        try db.execute(sql: "CREATE INDEX tenants_by_application ON tenants(tenant_guid, client_id)")

        try rebuild(
            db, table: "backup_schedules", for: lifecycleMigration,
            replacing: [
                (
                    "keep_last INTEGER NOT NULL DEFAULT 30 CHECK (keep_last >= 1)",
                    "keep_last INTEGER CHECK (keep_last >= 1)"
                )
            ])
        for rule in ["keep_daily", "keep_weekly", "keep_monthly", "keep_yearly"] {
            try db.execute(sql: "ALTER TABLE backup_schedules ADD COLUMN \(rule) INTEGER CHECK (\(rule) >= 1)")
        }
    }
}
