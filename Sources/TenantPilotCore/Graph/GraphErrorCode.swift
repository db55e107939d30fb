/// The stable error codes of Graph failures (SPEC §6), as the Graph client names them. Each is
/// the `ErrorCode` of the same name: this namespace remains while the client moves over.
public enum GraphErrorCode {
    /// The client secret could not be read (variable unset or empty, file missing or too open).
    public static let credentialsUnavailable = ErrorCode.credentialsUnavailable
    /// The token endpoint refused the credentials, or Graph answered 401.
    public static let authFailed = ErrorCode.graphAuthFailed
    /// Graph answered 403: the app registration lacks a permission.
    public static let forbidden = ErrorCode.graphForbidden
    /// Graph kept answering 429 after every retry.
    public static let throttled = ErrorCode.graphThrottled
    /// 5xx, timeouts or dropped connections after every retry.
    public static let unavailable = ErrorCode.graphUnavailable
    /// A body that is not the JSON Graph promises (malformed, cut off, wrong shape).
    public static let badResponse = ErrorCode.graphBadResponse
    /// A policy vanished between listing and capture (404 on a per-policy request).
    public static let notFound = ErrorCode.graphNotFound
    /// A request given up because its run ended (a fatal error elsewhere, or the run's
    /// deadline); never a run's final code.
    public static let cancelled = ErrorCode.cancelled
}
