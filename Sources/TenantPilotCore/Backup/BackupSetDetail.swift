/// A finished backup set with its items (`backups show`).
public struct BackupSetDetail: Sendable, Hashable {
    public var summary: BackupSetSummary
    /// Items ordered by type key, display name, then Graph id.
    public var items: [BackupItemRecord]

    public init(summary: BackupSetSummary, items: [BackupItemRecord]) {
        self.summary = summary
        self.items = items
    }
}
