import GRDB

// MARK: - v9_explicit_set_deletion (issue 14: retention over long histories)
//
// Kept apart from the other migrations so that branches adding theirs merge without touching
// this one: `StoreSchema.migrator` registers it with one line.

extension StoreSchema {
    static let explicitSetDeletionMigration = "v9_explicit_set_deletion"

    /// Deleting a set no longer sets off actions of the foreign keys that point at it:
    /// `backup_items.backup_set_id` loses `ON DELETE CASCADE` and
    /// `backup_schedule_runs.backup_set_id` loses `ON DELETE SET NULL`; both keep their reference
    /// (a set with items or runs pointing at it still cannot be deleted). `BackupSetDeletion`
    /// deletes the items and clears the runs' reference itself, with one statement each for all
    /// the sets. SQLite runs a foreign-key action as a trigger program for every deleted row:
    /// when retention first deleted the 381,000 sets that calendar rules no longer keep
    /// (docs/performance.md), those actions were most of the time the sets' deletion took.
    ///
    /// Both tables are rebuilt from their stored schema (`rebuild`), keeping every row and index.
    static func migrateToExplicitSetDeletion(_ db: Database) throws {
        try rebuild(
            db, table: "backup_items", for: explicitSetDeletionMigration,
            replacing: [("REFERENCES backup_sets(id) ON DELETE CASCADE", "REFERENCES backup_sets(id)")])
        try rebuild(
            db, table: "backup_schedule_runs", for: explicitSetDeletionMigration,
            replacing: [("REFERENCES backup_sets(id) ON DELETE SET NULL", "REFERENCES backup_sets(id)")])
    }
}
