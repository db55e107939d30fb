import Foundation

/// Tuning of a `URLSessionGraphClient`: how many requests it has in flight per tenant, how it
/// retries, how long and how large one request may be, the limits it paces under, and whether
/// listings expand.
public struct GraphClientOptions: Sendable, Hashable {
    /// The largest response body accepted unless told otherwise: 64 MB.
    public static let defaultMaxResponseBytes = 64 << 20

    /// Concurrent requests to Graph for this client (one client serves one tenant).
    public var concurrency: Int
    /// Retry limits (docs/architecture.md).
    public var retry: RetryPolicy
    /// How long one HTTP request may wait for the next bytes (URLSession's idle timeout).
    public var requestTimeout: Duration
    /// How long one HTTP request may take in total, headers and body: a server that drips a byte
    /// at a time never holds a run for longer than this per attempt.
    public var requestDeadline: Duration
    /// The largest response body read; past it the request fails `GRAPH_BAD_RESPONSE` and the
    /// rest is not read, so memory stays bounded whatever the server sends.
    public var maxResponseBytes: Int
    /// The most pages one collection may have; a server whose next links never run out is
    /// treated as broken, so a run always ends (its deadline bounds it in time too).
    public var maxPages: Int
    /// Requests per JSON `$batch` (Graph allows at most 20).
    public var batchSize: Int
    /// A cached token is renewed this long before it expires.
    public var tokenRenewalMargin: Duration
    /// The limits the tenant's pacer keeps under (used when the client makes the pacer).
    public var limits: GraphRequestLimits
    /// Whether listings `$expand` what the registry says they may (off: every sub-resource is
    /// read per policy, as when Graph refuses the expansion).
    public var listExpansions: Bool

    public init(
        concurrency: Int = 4, retry: RetryPolicy = .standard, requestTimeout: Duration = .seconds(60),
        requestDeadline: Duration = .seconds(300), maxResponseBytes: Int = GraphClientOptions.defaultMaxResponseBytes,
        maxPages: Int = 10_000, batchSize: Int = 20, tokenRenewalMargin: Duration = .seconds(300),
        limits: GraphRequestLimits = .graph, listExpansions: Bool = true
    ) {
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.requestDeadline = max(requestDeadline, .milliseconds(1))
        self.maxResponseBytes = max(1, maxResponseBytes)
        self.maxPages = max(1, maxPages)
        self.batchSize = min(max(1, batchSize), 20)
        self.tokenRenewalMargin = tokenRenewalMargin
        self.limits = limits
        self.listExpansions = listExpansions
    }
}
