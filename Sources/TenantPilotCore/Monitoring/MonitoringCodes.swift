extension ErrorCode {
    /// A hook's delivery failed after every attempt (it never changes a run's status).
    public static let hookFailed = ErrorCode(rawValue: "HOOK_FAILED")
    /// `metrics --textfile` (or `dispatch --metrics-textfile`) could not write its file.
    public static let metricsUnwritable = ErrorCode(rawValue: "METRICS_UNWRITABLE")
}

extension AuditAction {
    /// `hooks add`.
    public static let hookCreated = AuditAction(rawValue: "hook.created")
    /// `hooks remove`.
    public static let hookRemoved = AuditAction(rawValue: "hook.removed")
    /// A delivery failed after every attempt (metadata: hook, event, run, kind, redacted target, error).
    public static let hookFailed = AuditAction(rawValue: "hook.failed")
}

extension AuditResource {
    /// A row of `hooks`.
    public static let hook = AuditResource(rawValue: "hook")
}
