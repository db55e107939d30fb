/// The stable error codes of Graph failures (SPEC §6). A run's `error_code` is one of these when
/// the tenant could not be read.
public enum GraphErrorCode {
    /// The client secret could not be read (variable unset or empty, file missing or too open).
    public static let credentialsUnavailable = "CREDENTIALS_UNAVAILABLE"
    /// The token endpoint refused the credentials, or Graph answered 401.
    public static let authFailed = "GRAPH_AUTH_FAILED"
    /// Graph answered 403: the app registration lacks a permission.
    public static let forbidden = "GRAPH_FORBIDDEN"
    /// Graph kept answering 429 after every retry.
    public static let throttled = "GRAPH_THROTTLED"
    /// 5xx, timeouts or dropped connections after every retry.
    public static let unavailable = "GRAPH_UNAVAILABLE"
    /// A body that is not the JSON Graph promises (malformed, cut off, wrong shape).
    public static let badResponse = "GRAPH_BAD_RESPONSE"
    /// A policy vanished between listing and capture (404 on a per-policy request).
    public static let notFound = "GRAPH_NOT_FOUND"
    /// A request given up because its run ended (a fatal error elsewhere, or the run's
    /// deadline); never a run's final code.
    public static let cancelled = "CANCELLED"
}
