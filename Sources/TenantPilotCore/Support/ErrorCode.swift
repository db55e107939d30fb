/// A stable error code: what a script reads in `{"error": {"code": …}}` and what a run
/// records as its `error_code`. Every code the tool produces is a static member here, so a
/// reader finds them all in one place and no code is spelled twice (postgres-nio's
/// `PSQLError.Code` is the model).
public struct ErrorCode: StringConstant {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    // MARK: - Input and usage (exit 2)

    /// Bad input: a value the user gave cannot be used.
    public static let invalidInput = ErrorCode(rawValue: "INVALID_INPUT")
    /// Something the user named (a tenant, schedule, run, set) does not exist.
    public static let notFound = ErrorCode(rawValue: "NOT_FOUND")

    // MARK: - The tool and its store (exit 1)

    /// A failure that should not happen (a bug, or a row that vanished under us).
    public static let internalError = ErrorCode(rawValue: "INTERNAL_ERROR")
    /// The store cannot be opened, read or written (missing folder, full disk, lock timeout).
    public static let storeUnavailable = ErrorCode(rawValue: "STORE_UNAVAILABLE")
    /// No store where the command was pointed (only `tenants add` and `tenants import` create
    /// one): a wrong path fails loudly instead of starting an empty store.
    public static let storeNotFound = ErrorCode(rawValue: "STORE_NOT_FOUND")
    /// The store was written by a newer binary (it has migrations this one does not know).
    public static let storeTooNew = ErrorCode(rawValue: "STORE_TOO_NEW")
    /// A row holds a value no version of the tool writes.
    public static let storeCorrupt = ErrorCode(rawValue: "STORE_CORRUPT")
    /// The policy-type registry cannot be read or is malformed.
    public static let registryInvalid = ErrorCode(rawValue: "REGISTRY_INVALID")
    /// Items were added to, or completion asked of, a set that is no longer being written.
    public static let backupSetClosed = ErrorCode(rawValue: "BACKUP_SET_CLOSED")
    /// A set was given two items of the same type and Graph id.
    public static let duplicateBackupItem = ErrorCode(rawValue: "DUPLICATE_BACKUP_ITEM")

    // MARK: - Runs (a run's `error_code`, docs/architecture.md)

    /// `run`/`retry`: the current minute's slot already has a run (exit 4).
    public static let slotTaken = ErrorCode(rawValue: "SLOT_TAKEN")
    /// The schedule was already running; this run was skipped.
    public static let concurrentRun = ErrorCode(rawValue: "CONCURRENT_RUN")
    /// Some (or all) of the schedule's policy-type keys are not in the registry.
    public static let unknownPolicyType = ErrorCode(rawValue: "UNKNOWN_POLICY_TYPE")
    /// Dispatch did not run within the grace window of these slots; no catch-up.
    public static let missedSlot = ErrorCode(rawValue: "MISSED_SLOT")
    /// The process running the run died before it finished.
    public static let abandoned = ErrorCode(rawValue: "ABANDONED")
    /// The run went on beyond its deadline and was stopped.
    public static let runTimeout = ErrorCode(rawValue: "RUN_TIMEOUT")

    // MARK: - Microsoft Graph

    /// The client secret could not be read (variable unset or empty, file missing or too open).
    public static let credentialsUnavailable = ErrorCode(rawValue: "CREDENTIALS_UNAVAILABLE")
    /// The token endpoint refused the credentials, or Graph answered 401.
    public static let graphAuthFailed = ErrorCode(rawValue: "GRAPH_AUTH_FAILED")
    /// Graph answered 403: the app registration lacks a permission.
    public static let graphForbidden = ErrorCode(rawValue: "GRAPH_FORBIDDEN")
    /// Graph kept answering 429 after every retry.
    public static let graphThrottled = ErrorCode(rawValue: "GRAPH_THROTTLED")
    /// 5xx, timeouts or dropped connections after every retry.
    public static let graphUnavailable = ErrorCode(rawValue: "GRAPH_UNAVAILABLE")
    /// A body that is not the JSON Graph promises (malformed, cut off, wrong shape).
    public static let graphBadResponse = ErrorCode(rawValue: "GRAPH_BAD_RESPONSE")
    /// A policy vanished between listing and capture (404 on a per-policy request).
    public static let graphNotFound = ErrorCode(rawValue: "GRAPH_NOT_FOUND")
    /// A request given up because its run ended (a fatal error elsewhere, or the run's
    /// deadline); never a run's final code.
    public static let cancelled = ErrorCode(rawValue: "CANCELLED")
}
