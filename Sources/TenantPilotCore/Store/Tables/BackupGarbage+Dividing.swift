/// Dividing the garbage of one deletion among the groups of sets it deleted together.
extension BackupGarbage {
    /// A version that a deletion leaves unreferenced, with its key and payload.
    struct Version: Sendable, Hashable {
        var id: Int64
        var keyId: Int64
        var payloadId: Int64
    }

    /// An item a deletion removed: its set and the version it named.
    struct DeletedItem: Sendable, Hashable {
        var setId: Int64
        var versionId: Int64
    }

    /// `garbage`, found after the items of all `groups` were deleted together, divided as if
    /// the groups had been deleted one after the other in their order: a version goes with the
    /// last group whose deleted items named it (once those are gone nothing names it), a
    /// payload or key with the last group that takes one of its versions. `versions` are the
    /// garbage's versions with their keys and payloads, `deleted` the items the deletion
    /// removed. Retention reports and audits each schedule's orphans from this, while one
    /// statement deletes the items of all of them.
    static func dividing(
        _ garbage: BackupGarbage, versions: [Version], deleted: [DeletedItem], among groups: [[Int64]]
    ) -> [BackupGarbage] {
        if groups.count <= 1 { return groups.isEmpty ? [] : [garbage] }
        if garbage.versionIds.isEmpty { return groups.map { _ in BackupGarbage() } }
        let last = groups.count - 1
        var groupOfSet: [Int64: Int] = [:]
        groupOfSet.reserveCapacity(groups.reduce(0) { $0 + $1.count })
        for (index, group) in groups.enumerated() {
            for id in group { groupOfSet[id] = index }
        }
        let doomed = Set(garbage.versionIds)
        var groupOfVersion: [Int64: Int] = [:]
        for item in deleted where doomed.contains(item.versionId) {
            guard let group = groupOfSet[item.setId] else { continue }
            groupOfVersion[item.versionId] = max(groupOfVersion[item.versionId] ?? group, group)
        }
        func group(ofVersion id: Int64) -> Int { groupOfVersion[id] ?? last }
        var groupOfPayload: [Int64: Int] = [:]
        var groupOfKey: [Int64: Int] = [:]
        for version in versions {
            let group = group(ofVersion: version.id)
            groupOfPayload[version.payloadId] = max(groupOfPayload[version.payloadId] ?? group, group)
            groupOfKey[version.keyId] = max(groupOfKey[version.keyId] ?? group, group)
        }
        var divided = groups.map { _ in BackupGarbage() }
        for id in garbage.versionIds { divided[group(ofVersion: id)].versionIds.append(id) }
        for id in garbage.keyIds { divided[groupOfKey[id] ?? last].keyIds.append(id) }
        for payload in garbage.payloads { divided[groupOfPayload[payload.id] ?? last].payloads.append(payload) }
        return divided
    }

    /// The garbage of several groups as one, for `BackupItemTable.delete(_:)`.
    static func merging(_ parts: [BackupGarbage]) -> BackupGarbage {
        if parts.count == 1 { return parts[0] }
        return BackupGarbage(
            versionIds: parts.flatMap(\.versionIds).sorted(), keyIds: parts.flatMap(\.keyIds).sorted(),
            payloads: parts.flatMap(\.payloads).sorted { $0.sha256 < $1.sha256 })
    }
}
