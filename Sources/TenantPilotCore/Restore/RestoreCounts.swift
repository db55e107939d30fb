/// What a restore run wrote, stored as the run's `restore_counts` and shown in its `counts`.
public struct RestoreCounts: Codable, Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var deleted = 0
    public var failed = 0

    public init(created: Int = 0, updated: Int = 0, deleted: Int = 0, failed: Int = 0) {
        self.created = created
        self.updated = updated
        self.deleted = deleted
        self.failed = failed
    }

    /// Writing actions attempted.
    public var attempted: Int { created + updated + deleted + failed }
}
