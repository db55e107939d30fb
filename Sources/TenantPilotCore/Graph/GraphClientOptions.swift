import Foundation

/// Tuning of a `URLSessionGraphClient`: how many requests it has in flight per tenant, how it
/// retries, how long one request may take, the limits it paces under, and whether listings expand.
public struct GraphClientOptions: Sendable, Hashable {
    /// Concurrent requests to Graph for this client (one client serves one tenant).
    public var concurrency: Int
    /// Retry limits (SPEC §6).
    public var retry: RetryPolicy
    /// Timeout of one HTTP request.
    public var requestTimeout: Duration
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
        batchSize: Int = 20, tokenRenewalMargin: Duration = .seconds(300), limits: GraphRequestLimits = .graph,
        listExpansions: Bool = true
    ) {
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.batchSize = min(max(1, batchSize), 20)
        self.tokenRenewalMargin = tokenRenewalMargin
        self.limits = limits
        self.listExpansions = listExpansions
    }
}
