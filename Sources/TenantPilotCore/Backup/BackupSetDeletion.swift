/// Deleting backup sets together with their items and whatever nothing references any more:
/// versions (a policy's display name and payload), payloads and keys (a policy's type and
/// Graph id). Runs that made a deleted set stay in the history without it. Shared by retention,
/// `backups delete`, purge and the discarding of abandoned sets; always runs inside the caller's
/// write transaction so that a killed process leaves the old state or the new one. Every step is
/// one statement for all the sets, and no foreign key acts on its own (v9_explicit_set_deletion).
enum BackupSetDeletion {
    /// Deletes the sets, their items, and the versions, payloads and keys left unreferenced.
    /// Returns the payloads removed.
    @discardableResult
    static func delete(_ tx: any StoreTransaction, setIds: [Int64]) throws -> [BackupGarbage.Payload] {
        let payloads = try emptySets(tx, setIds: setIds)
        try deleteEmptied(tx, setIds: setIds)
        return payloads
    }

    /// The first half of `delete`: deletes the sets' items and what they alone referenced, and
    /// clears the runs' references to the sets, leaving the set rows. Returns the payloads removed.
    static func emptySets(_ tx: any StoreTransaction, setIds: [Int64]) throws -> [BackupGarbage.Payload] {
        try emptySets(tx, groups: [setIds]).first ?? []
    }

    /// `emptySets` for several groups of sets at once (retention's schedules), each step one
    /// statement for all of them; returns the payloads removed by each group, as if the groups
    /// had been emptied one after the other (`BackupGarbage.dividing`). Retention empties the
    /// schedules of a transaction together and deletes all their rows at once (`deleteEmptied`):
    /// one statement over ids in order touches each page of `backup_items` and `backup_sets`
    /// once, where a statement per schedule touches it once per schedule on it (a day's sets of
    /// every schedule share pages).
    static func emptySets(_ tx: any StoreTransaction, groups: [[Int64]]) throws -> [[BackupGarbage.Payload]] {
        let setIds = groups.flatMap { $0 }.sorted()
        if setIds.isEmpty { return groups.map { _ in [] } }
        let garbage = try tx.backupItems.deleteItems(ofSetGroups: groups)
        try tx.backupItems.delete(BackupGarbage.merging(garbage))
        try tx.runs.forgetBackupSets(setIds)
        return garbage.map(\.payloads)
    }

    /// The second half of `delete`: deletes set rows that `emptySets` emptied.
    static func deleteEmptied(_ tx: any StoreTransaction, setIds: [Int64]) throws {
        if setIds.isEmpty { return }
        try tx.backupSets.delete(setIds.sorted())
    }
}
