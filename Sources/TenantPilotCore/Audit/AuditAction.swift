/// What an audit entry records (docs/cli.md). Every action the tool writes is a static member here.
public struct AuditAction: StringConstant {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let tenantCreated = AuditAction(rawValue: "tenant.created")
    /// `tenants update`: the changed fields (never a secret, only where it is read from).
    public static let tenantUpdated = AuditAction(rawValue: "tenant.updated")
    /// `tenants remove`: no longer backed up; its backups and history stay.
    public static let tenantRemoved = AuditAction(rawValue: "tenant.removed")
    /// `tenants remove --purge`: its sets, runs, policies and notifications deleted.
    public static let tenantPurged = AuditAction(rawValue: "tenant.purged")
    public static let scheduleCreated = AuditAction(rawValue: "backup_schedule.created")
    public static let scheduleUpdated = AuditAction(rawValue: "backup_schedule.updated")
    public static let scheduleEnabled = AuditAction(rawValue: "backup_schedule.enabled")
    public static let scheduleDisabled = AuditAction(rawValue: "backup_schedule.disabled")
    public static let scheduleRemoved = AuditAction(rawValue: "backup_schedule.removed")
    /// One per dispatch that created runs.
    public static let dispatched = AuditAction(rawValue: "backup_schedule.dispatched")
    public static let runStarted = AuditAction(rawValue: "backup_schedule.run_started")
    public static let runCompleted = AuditAction(rawValue: "backup_schedule.run_completed")
    /// One per schedule that retention was applied to.
    public static let retentionApplied = AuditAction(rawValue: "backup_schedule.retention_applied")
    /// A backup set was completed and became visible.
    public static let backupCreated = AuditAction(rawValue: "backup.created")
    /// `backups delete`: one per deleted set.
    public static let backupDeleted = AuditAction(rawValue: "backup.deleted")
    /// `backups pin`: the set is kept from every retention rule.
    public static let backupPinned = AuditAction(rawValue: "backup.pinned")
    /// `backups unpin`: the set is handed back to the retention rules.
    public static let backupUnpinned = AuditAction(rawValue: "backup.unpinned")
    /// `backups export`: a set's payloads written as files.
    public static let backupExported = AuditAction(rawValue: "backup.exported")

    /// Every action this binary writes, for `audit list --action` (an action outside it, and not
    /// in the store either, is a typo). A new action is added here with its static member.
    public static let known: [AuditAction] = [
        .tenantCreated, .scheduleCreated, .scheduleUpdated, .scheduleEnabled, .scheduleDisabled, .scheduleRemoved,
        .dispatched, .runStarted, .runCompleted, .retentionApplied, .backupCreated, .restoreStarted,
        .policyRestored, .restoreCompleted, .hookCreated, .hookRemoved, .hookFailed, .tenantUpdated,
        .tenantRemoved, .tenantPurged, .backupDeleted, .backupPinned, .backupUnpinned, .backupExported, .storeCopied,
    ]
}

/// What kind of thing an audit entry is about (`resource_type`).
public struct AuditResource: StringConstant {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let tenant = AuditResource(rawValue: "tenant")
    public static let schedule = AuditResource(rawValue: "backup_schedule")
    public static let run = AuditResource(rawValue: "backup_schedule_run")
    public static let backupSet = AuditResource(rawValue: "backup_set")
    public static let dispatch = AuditResource(rawValue: "dispatch")
}
