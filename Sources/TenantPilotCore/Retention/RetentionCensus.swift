/// How many backup sets the store holds, and of each schedule how many its retention rules weigh
/// (finished and not pinned): enough to know, before deciding anything, that an application is
/// bound to delete most of the sets, and to delete them in bulk (`Store.bulkDeletionWrite`).
public struct RetentionCensus: Sendable, Equatable {
    /// Every set, of any schedule or none, in any status.
    public var sets: Int
    /// Of each schedule with sets, its finished sets that are not pinned.
    public var weighed: [Int64: Int]

    public init(sets: Int, weighed: [Int64: Int]) {
        self.sets = sets
        self.weighed = weighed
    }

    /// The fewest sets that applying `policies` (by schedule id) must delete: each rule keeps at
    /// most its count of sets, and the newest successful set may be one more.
    public func fewestDeleted(under policies: [Int64: RetentionPolicy]) -> Int {
        policies.reduce(0) { total, entry in
            total + max(0, (weighed[entry.key] ?? 0) - entry.value.mostKept - 1)
        }
    }

    /// Whether applying `policies` deletes more than half of all sets.
    public func deletesMost(under policies: [Int64: RetentionPolicy]) -> Bool {
        fewestDeleted(under: policies) * 2 > sets
    }
}
