/// Deleting backup sets together with their items and whatever nothing references any more:
/// versions (a policy's display name and payload), payloads and keys (a policy's type and
/// Graph id). Shared by retention and by the discarding of abandoned sets; always runs inside
/// the caller's write transaction so that a killed process leaves the old state or the new one.
enum BackupSetDeletion {
    /// Deletes the sets, their items, and the versions, payloads and keys left unreferenced.
    /// Returns the payloads removed.
    @discardableResult
    static func delete(_ tx: any StoreTransaction, setIds: [Int64]) throws -> [BackupGarbage.Payload] {
        if setIds.isEmpty { return [] }
        let garbage = try tx.backupItems.garbage(deleting: setIds, excluding: setIds)
        try tx.backupItems.deleteItems(ofSets: setIds)
        try tx.backupSets.delete(setIds)
        try tx.backupItems.delete(garbage)
        return garbage.payloads
    }
}
