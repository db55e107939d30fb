extension AuditAction {
    /// A restore began writing into a tenant (`restore --apply`).
    public static let restoreStarted = AuditAction(rawValue: "backup.restore_started")
    /// One policy written by a restore (created, updated, deleted), or its failure.
    public static let policyRestored = AuditAction(rawValue: "policy.restored")
    /// A restore ended, with its counts.
    public static let restoreCompleted = AuditAction(rawValue: "backup.restore_completed")
}

extension AuditResource {
    /// A policy in a tenant (the target of `policy.restored`).
    public static let policy = AuditResource(rawValue: "policy")
}

extension ErrorCode {
    /// `drift`: the schedule or tenant has no usable backup set to compare with yet.
    public static let noBackupSet = ErrorCode(rawValue: "NO_BACKUP_SET")
    /// `restore`: a backed-up policy lacks what its recipe needs to create it (an intent's template).
    public static let restoreIncompleteBackup = ErrorCode(rawValue: "RESTORE_INCOMPLETE_BACKUP")
}

extension ExitStatus {
    /// `5`: differences found (`drift`, `restore --plan --exit-code`).
    public static let differences: Int32 = 5
}
