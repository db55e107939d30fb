import Foundation

/// TEMPORARY stand-in until the Graph client and backup-set store land.
public struct BackupService: BackupPerforming {
    public init(store: Store, dependencies: Dependencies) {}

    public func backup(
        tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, at instant: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async -> BackupOutcome {
        BackupOutcome(fatal: .failed("backups are not implemented yet", code: "INTERNAL_ERROR"))
    }
}
