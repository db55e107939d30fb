import GRDB

extension Store {
    /// Gives free pages back to the file system in steps of `stepPages`, each its own short
    /// write transaction (so a dispatch waiting to write is never held up for long), until none
    /// are left. Returns the number of pages given back. Does nothing on a file made without
    /// `auto_vacuum = INCREMENTAL`. Retention calls it after deleting sets, and `migrate` after
    /// a migration that rewrote tables of an existing store.
    @discardableResult
    public func releaseFreePages(stepPages: Int = 128, maxSteps: Int = 1_000_000) throws(TenantPilotError) -> Int {
        let step = max(1, stepPages)
        return try StoreAccess.perform("reclaim free space") {
            let mode = try writer.read { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") ?? 0 }
            guard mode == 2 else { return 0 }
            var released = 0
            for _ in 0..<maxSteps {
                let (before, after) = try writer.writeWithoutTransaction { db -> (Int, Int) in
                    let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                    if before == 0 { return (0, 0) }
                    try db.execute(sql: "PRAGMA incremental_vacuum(\(step))")
                    return (before, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
                }
                if before == 0 || after >= before { break }
                released += before - after
            }
            // Lets the file shrink now rather than at the next automatic checkpoint; PASSIVE
            // never waits for readers.
            try writer.writeWithoutTransaction { db in
                _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            }
            return released
        }
    }
}
