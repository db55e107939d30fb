import Foundation

/// `backups delete`, `pin` and `unpin`: what a user decides about a set by hand, each with its
/// audit entry in the same transaction.
extension BackupSetStore {
    /// The longest pin note accepted.
    public static let maximumNoteLength = 500

    /// What `deleteSets` did.
    public struct Deletion: Sendable, Equatable {
        public var setIds: [Int64]
        public var payloadsRemoved: Int
        public var bytesFreed: Int64
        public var pagesReclaimed: Int
    }

    /// Deletes these sets with their items and the payloads no other set references, in one
    /// transaction with one `backup.deleted` per set, then gives the space back. Every id is
    /// checked first: an unknown id, a set still `building` (its run is writing it) or a pinned
    /// set without `force` is bad input naming it, and nothing is deleted.
    public func deleteSets(_ ids: [Int64], force: Bool, actor: String, at instant: Date) async throws(TenantPilotError)
        -> Deletion
    {
        var unique: [Int64] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        guard !unique.isEmpty else { throw .invalid("name at least one backup set id") }
        let setIds = unique
        var deletion = try await store.write("delete backup sets") { tx in
            var sets: [BackupSet] = []
            for id in setIds {
                guard let set = try tx.backupSets.find(id: id) else {
                    throw TenantPilotError.notFound("no backup set with id \(id); see `tenantpilot backups list`")
                }
                if set.status == .building {
                    throw TenantPilotError.invalid(
                        "backup set \(id) is still being written\(set.runId.map { " by run \($0)" } ?? ""); "
                            + "it cannot be deleted (nothing was deleted)")
                }
                if set.pinned && !force {
                    throw TenantPilotError.invalid(
                        "backup set \(id) is pinned\(set.pinNote.map { " (\($0))" } ?? ""); unpin it first "
                            + "(`tenantpilot backups unpin \(id)`) or give --force (nothing was deleted)")
                }
                sets.append(set)
            }
            let payloads = try BackupSetDeletion.delete(tx, setIds: setIds)
            for set in sets {
                try tx.audit.record(
                    at: instant, actor: actor, tenantId: set.tenantId, action: .backupDeleted, resource: .backupSet,
                    resourceId: String(set.id),
                    metadata: [
                        "schedule_id": set.scheduleId.map(JSONValue.int) ?? .null,
                        "run_id": set.runId.map(JSONValue.int) ?? .null, "created_at": .string(set.createdAt.text),
                        "items": .int(Int64(set.itemCount)), "pinned": .bool(set.pinned),
                    ])
            }
            return Deletion(
                setIds: setIds, payloadsRemoved: payloads.count, bytesFreed: payloads.reduce(0) { $0 + $1.size },
                pagesReclaimed: 0)
        }
        deletion.pagesReclaimed = try await store.releaseFreePages()
        return deletion
    }

    /// Pins a finished set: every retention rule keeps it until it is unpinned. Pinning a pinned
    /// set replaces its note. Writes `backup.pinned`.
    public func pin(_ id: Int64, note: String?, actor: String, at instant: Date) async throws(TenantPilotError)
        -> BackupSetSummary
    {
        let note = try note.map { (text: String) throws(TenantPilotError) in try Self.validNote(text) }
        return try await store.write("pin backup set \(id)") { tx in
            let summary = try Self.requireFinished(tx, id)
            try tx.backupSets.pin(id, note: note, at: Instant(instant))
            try tx.audit.record(
                at: instant, actor: actor, tenantId: summary.tenantId, action: .backupPinned, resource: .backupSet,
                resourceId: String(id), metadata: ["note": note.map(JSONValue.string) ?? .null])
            return try Self.requireFinished(tx, id)
        }
    }

    /// Hands a pinned set back to the retention rules (`backup.unpinned`); returns the set and
    /// whether it was pinned (an unpinned set is left as it is, and nothing is written).
    public func unpin(_ id: Int64, actor: String, at instant: Date) async throws(TenantPilotError)
        -> (set: BackupSetSummary, changed: Bool)
    {
        try await store.write("unpin backup set \(id)") { tx in
            let summary = try Self.requireFinished(tx, id)
            guard summary.pinned else { return (summary, false) }
            try tx.backupSets.unpin(id)
            try tx.audit.record(
                at: instant, actor: actor, tenantId: summary.tenantId, action: .backupUnpinned, resource: .backupSet,
                resourceId: String(id), metadata: ["pinned_at": summary.pinnedAt.map { .string($0.text) } ?? .null])
            return (try Self.requireFinished(tx, id), true)
        }
    }

    private static func requireFinished(_ tx: any StoreTransaction, _ id: Int64) throws -> BackupSetSummary {
        if let summary = try tx.backupSets.finished(id: id) { return summary }
        if try tx.backupSets.status(of: id) == .building {
            throw TenantPilotError.invalid("backup set \(id) is still being written; pin it once it is complete")
        }
        throw TenantPilotError.notFound("no backup set with id \(id); see `tenantpilot backups list`")
    }

    /// `--note`: at most 500 characters, no control characters.
    static func validNote(_ text: String) throws(TenantPilotError) -> String {
        guard !PlainText.containsControl(text) else {
            throw .invalid("--note \(PlainText.escaped(text).debugDescription) must not contain control characters")
        }
        guard text.count <= maximumNoteLength else {
            throw .invalid("--note is \(text.count) characters long; the limit is \(maximumNoteLength)")
        }
        return text
    }
}
