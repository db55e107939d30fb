/// The exit codes of docs/cli.md, decided in one place: `0` done, `1` failed, `2` bad input or
/// usage, `3` a run ended `partial`, `4` a run was `skipped` or not created.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let partial: Int32 = 3
    public static let notRun: Int32 = 4

    /// An error's exit code.
    public static func of(_ error: TenantPilotError) -> Int32 {
        switch error.kind {
        case .invalidInput: usage
        case .failed: failure
        case .notRun: notRun
        }
    }

    /// `run`/`retry`: the one run they made.
    public static func of(run status: BackupRun.Status) -> Int32 {
        switch status {
        case .success: success
        case .partial: partial
        case .skipped: notRun
        case .failed, .pending, .running: failure
        }
    }

    /// `dispatch`: 1 when a run it executed failed, else 3 when one ended partial, else 0
    /// (skipped runs, missed slots included, do not make a dispatch fail).
    public static func of(dispatched statuses: some Sequence<BackupRun.Status>) -> Int32 {
        let all = Set(statuses)
        if all.contains(.failed) { return failure }
        if all.contains(.partial) { return partial }
        return success
    }
}
