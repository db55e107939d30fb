/// Where a backup set is in its life: `building` while a run writes it (invisible to every
/// listing), then `complete` or `partial` for good.
public enum BackupSetStatus: String, Sendable, Hashable, Codable {
    case building
    case complete
    case partial
}

/// How a finished backup set ended: the two states `BackupSetStore.completeSet` accepts.
public enum BackupSetOutcome: String, Sendable, Hashable, Codable {
    /// Every policy of every requested type was captured.
    case complete
    /// Some types or items could not be captured; what was captured is kept.
    case partial

    /// The stored status for this outcome.
    public var status: BackupSetStatus {
        switch self {
        case .complete: .complete
        case .partial: .partial
        }
    }
}
