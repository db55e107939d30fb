import Foundation

/// The content-addressed store of backup sets (docs/architecture.md). A run begins a set
/// (`building`, invisible to every listing), adds its items in batches, and completes it as
/// `complete` or `partial`; only then is it listed. Each payload is stored once per distinct
/// SHA-256 of its canonical JSON, and each policy's identity and display name once, so a backup
/// of an unchanged tenant adds only an item row of three integers per policy (migration
/// `v3_compact_backup_items`).
///
/// "Newest" means the highest id: sets are ordered by when they were begun in this store,
/// whatever the clock (`--now`, a corrected system clock) said at the time.
public struct BackupSetStore: Sendable {
    public let store: Store
    /// Items written per write transaction: keeps each lock short so a dispatch never waits long.
    public let batchSize: Int

    public init(store: Store, batchSize: Int = 500) {
        self.store = store
        self.batchSize = max(1, batchSize)
    }

    // MARK: - Writing a set

    /// Starts a set in status `building` and returns its id. `scheduleId` is nil for a set
    /// made by hand; `runId` names the run that writes it, so an abandoned run's set can be
    /// discarded.
    public func beginSet(tenantId: Int64, scheduleId: Int64?, runId: Int64?, at instant: Date)
        async throws(TenantPilotError) -> Int64
    {
        try await store.write("begin a backup set") { tx in
            try tx.backupSets.begin(tenantId: tenantId, scheduleId: scheduleId, runId: runId, at: Instant(instant))
        }
    }

    /// Adds items to a set that is being written: a payload is inserted once per distinct SHA-256,
    /// a policy's key (type, Graph id) once, and each distinct capture (key, display name,
    /// payload) once, so an item row is three integers. Items go in batches of `batchSize`, one
    /// transaction per batch. Throws `BACKUP_SET_CLOSED` when the set is not `building`
    /// (completed or discarded) and `DUPLICATE_BACKUP_ITEM` when the set already holds an item
    /// of that type and Graph id.
    public func addItems(setId: Int64, items: [NewBackupItem]) async throws(TenantPilotError) {
        // Hash outside the write transaction: the lock is held only for the inserts.
        let prepared = items.map(PreparedBackupItem.init)
        var start = 0
        while start < prepared.count {
            let batch = Array(prepared[start..<min(start + batchSize, prepared.count)])
            try await store.write("add items to backup set \(setId)") { tx in
                try tx.backupSets.requireBuilding(setId)
                try tx.backupItems.add(batch, toSet: setId)
            }
            start += batchSize
        }
    }

    /// Finishes a set as `complete` or `partial` and records its item count; from here on it is
    /// listed. Throws `BACKUP_SET_CLOSED` when the set is not `building`.
    public func completeSet(setId: Int64, status: BackupSetOutcome, at instant: Date) async throws(TenantPilotError) {
        try await store.write("complete backup set \(setId)") { tx in
            try Self.complete(tx, setId: setId, status: status, at: instant)
        }
    }

    /// `completeSet` inside the caller's transaction.
    static func complete(_ tx: any StoreTransaction, setId: Int64, status: BackupSetOutcome, at instant: Date) throws {
        try tx.backupSets.requireBuilding(setId)
        try tx.backupSets.complete(setId, as: status, at: Instant(instant))
    }

    /// Deletes sets still `building` that were begun before `instant` (their run died), with
    /// their items and the payloads nothing else references. Returns how many were discarded.
    @discardableResult
    public func discardBuildingSets(olderThan instant: Date) async throws(TenantPilotError) -> Int {
        try await store.write("discard abandoned backup sets") { tx in
            let ids = try tx.backupSets.building(createdBefore: Instant(instant))
            try BackupSetDeletion.delete(tx, setIds: ids)
            return ids.count
        }
    }

    /// Deletes the `building` sets written by these runs (abandoned or failed runs), with their
    /// items and orphaned payloads. Finished sets of those runs are left alone.
    @discardableResult
    public func discardBuildingSets(forRunIds runIds: [Int64]) async throws(TenantPilotError) -> Int {
        if runIds.isEmpty { return 0 }
        return try await store.write("discard the backup sets of abandoned runs") { tx in
            let ids = try tx.backupSets.building(ofRuns: runIds)
            try BackupSetDeletion.delete(tx, setIds: ids)
            return ids.count
        }
    }

    // MARK: - Reading

    /// Finished sets (`complete` or `partial`), newest first, optionally for one tenant and/or
    /// one schedule. Sets still being written are never listed.
    public func listSets(tenantId: Int64? = nil, scheduleId: Int64? = nil, limit: Int? = nil)
        async throws(TenantPilotError) -> [BackupSetSummary]
    {
        try await store.read("list backup sets") { tx in
            try tx.backupSets.finished(tenantId: tenantId, scheduleId: scheduleId, limit: limit)
        }
    }

    /// A finished set with its items; nil when there is no such set or it is still being written.
    public func set(id: Int64) async throws(TenantPilotError) -> BackupSetDetail? {
        try await store.read("read backup set \(id)") { tx -> BackupSetDetail? in
            guard let summary = try tx.backupSets.finished(id: id) else { return nil }
            return BackupSetDetail(summary: summary, items: try tx.backupItems.items(ofSet: id))
        }
    }

    /// The stored payload with this SHA-256, or nil.
    public func payload(sha256: String) async throws(TenantPilotError) -> JSONValue? {
        let data = try await store.read("read payload \(sha256)") { tx in try tx.backupItems.payload(sha256: sha256) }
        guard let data else { return nil }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw .failed("payload \(sha256) is not valid JSON: the store may be damaged", code: .storeCorrupt)
        }
    }
}
