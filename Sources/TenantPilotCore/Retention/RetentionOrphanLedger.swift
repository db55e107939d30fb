/// What a dry run's schedules, planned one after the other, would delete, so that each
/// schedule's orphan payloads are counted as a real application, which deletes the schedules in
/// turn, finds them: a payload goes with the schedule whose deletion takes its last version, and
/// a version with the one that takes its last item.
///
/// Counts, not lists of sets: each version's items are counted once for the whole dry run and
/// the planned deletions are added up in memory, so the work grows with the sets planned, not
/// with their square (every schedule carrying the sets of all the earlier ones).
struct RetentionOrphanLedger {
    /// Items of each version in the sets planned so far.
    private var plannedItems: [Int64: Int] = [:]
    /// Every item of each version seen (the dry run reads one snapshot).
    private var allItems: [Int64: Int] = [:]
    /// Versions that the sets planned so far leave without an item.
    private var goneVersions: Set<Int64> = []

    /// Plans deleting `setIds` after the sets planned before; returns the payloads that this
    /// leaves unreferenced, by SHA-256.
    mutating func plan(deleting setIds: [Int64], _ items: any BackupItemTable) throws -> [BackupGarbage.Payload] {
        if setIds.isEmpty { return [] }
        let named = try items.versionCounts(ofSets: setIds)
        for (version, count) in named { plannedItems[version, default: 0] += count }
        let uncounted = named.keys.filter { allItems[$0] == nil }
        if !uncounted.isEmpty {
            allItems.merge(try items.itemCounts(ofVersions: uncounted.sorted())) { $1 }
        }
        let gone = named.keys.filter { plannedItems[$0] == allItems[$0] }.sorted()
        if gone.isEmpty { return [] }
        goneVersions.formUnion(gone)
        return try items.payloads(ofVersions: gone)
            .filter { $0.versionIds.allSatisfy(goneVersions.contains) }
            .map(\.payload)
            .sorted { $0.sha256 < $1.sha256 }
    }
}
