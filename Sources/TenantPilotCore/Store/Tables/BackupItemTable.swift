import Foundation

/// `backup_items` and the content-addressed rows they point at — `backup_item_keys` (a
/// policy's type and Graph id), `backup_item_versions` (a distinct capture: display name and
/// payload) and `backup_payloads` (each distinct canonical JSON once). One owner for the four,
/// because no row of one is written without the others.
public protocol BackupItemTable {
    /// Adds items to a set: payloads, keys and versions are inserted once and shared, so an
    /// item is three integers. Throws `DUPLICATE_BACKUP_ITEM` when the set already holds an
    /// item of that type and Graph id.
    func add(_ items: [PreparedBackupItem], toSet setId: Int64) throws
    /// A set's items, by type key, display name, then Graph id.
    func items(ofSet setId: Int64) throws -> [BackupItemRecord]
    /// The canonical JSON stored under this SHA-256, or nil.
    func payload(sha256: String) throws -> Data?
    /// How many of these sets' items name each version. Reads only (a dry run's
    /// `RetentionOrphanLedger`).
    func versionCounts(ofSets setIds: [Int64]) throws -> [Int64: Int]
    /// How many items name each of these versions, in any set.
    func itemCounts(ofVersions versionIds: [Int64]) throws -> [Int64: Int]
    /// The payloads of these versions, each with every version that names it.
    func payloads(ofVersions versionIds: [Int64]) throws -> [BackupGarbage.PayloadVersions]
    /// Deletes every item of these groups of sets, in one statement, and returns for each group
    /// the versions, keys and payloads that no item references any more, for `delete(_:)` (the
    /// set rows may still be there): as if the groups had been deleted one after the other, a row
    /// goes with the last group that referenced it (`BackupGarbage.dividing`).
    func deleteItems(ofSetGroups groups: [[Int64]]) throws -> [BackupGarbage]
    /// Deletes unreferenced rows that `deleteItems` found, children before parents.
    func delete(_ garbage: BackupGarbage) throws
}

extension BackupItemTable {
    /// Deletes every item of these sets and returns the versions, keys and payloads that no
    /// item references any more, for `delete(_:)` (the set rows may still be there).
    func deleteItems(ofSets setIds: [Int64]) throws -> BackupGarbage {
        try deleteItems(ofSetGroups: [setIds]).first ?? BackupGarbage()
    }
}

/// A captured policy with its payload's canonical bytes and their hash, computed before the
/// write transaction so that the lock is held only for the inserts.
public struct PreparedBackupItem: Sendable {
    public var item: NewBackupItem
    public var sha256: String
    public var content: Data

    public init(_ item: NewBackupItem) {
        self.item = item
        (sha256, content) = PayloadHash.canonical(item.payload)
    }
}

/// Rows that deleting some sets leaves unreferenced.
public struct BackupGarbage: Sendable, Equatable {
    /// A payload that deleting some sets would leave unreferenced.
    public struct Payload: Sendable, Hashable {
        public var id: Int64
        public var sha256: String
        public var size: Int64

        public init(id: Int64, sha256: String, size: Int64) {
            self.id = id
            self.sha256 = sha256
            self.size = size
        }
    }

    /// A payload and every version that names it.
    public struct PayloadVersions: Sendable, Equatable {
        public var payload: Payload
        public var versionIds: [Int64]
        public init(payload: Payload, versionIds: [Int64]) {
            self.payload = payload
            self.versionIds = versionIds
        }

        /// Rows of (payload, version), ordered by payload id, as one entry per payload.
        static func grouping(_ rows: [(payload: Payload, versionId: Int64)]) -> [PayloadVersions] {
            var grouped: [PayloadVersions] = []
            for row in rows {
                if grouped.last?.payload.id == row.payload.id {
                    grouped[grouped.count - 1].versionIds.append(row.versionId)
                } else {
                    grouped.append(PayloadVersions(payload: row.payload, versionIds: [row.versionId]))
                }
            }
            return grouped
        }
    }

    public var versionIds: [Int64] = []
    public var keyIds: [Int64] = []
    public var payloads: [Payload] = []

    public init(versionIds: [Int64] = [], keyIds: [Int64] = [], payloads: [Payload] = []) {
        self.versionIds = versionIds
        self.keyIds = keyIds
        self.payloads = payloads
    }
}
