/// Is a schedule (or a tenant) backed up? The states of `status`, in the order they are
/// decided for an enabled schedule.
public enum BackupState: String, Sendable, Codable, CaseIterable {
    /// The run of the last slot that is due succeeded with a set.
    case ok
    /// That run ended `partial`: a set exists, but not everything was captured.
    case partial
    /// That run failed or was skipped (missed slot, concurrent run, no valid types).
    case failing
    /// A slot older than the grace window has no run: dispatch is not running.
    case overdue
    /// Slots have passed, but there is no usable backup yet.
    case never
    /// No slot has passed yet (or the first run is still going).
    case pending
    /// A tenant with no enabled schedule.
    case unscheduled

    /// Whether a monitoring check should pass: `ok`, `pending` and `unscheduled`.
    public var isHealthy: Bool {
        switch self {
        case .ok, .pending, .unscheduled: true
        case .partial, .failing, .overdue, .never: false
        }
    }
}
