import Foundation

/// How Graph requests are retried (docs/architecture.md). Throttling (429) and unavailability (502, 503, 504,
/// timeouts, dropped connections) are retried with exponential backoff and jitter, honouring
/// `Retry-After`; other failures (500, a malformed body) get a small fixed number of attempts;
/// 401 and 403 are never retried. Every limit is bounded, so a run always ends.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts of one request (the first included) when throttled or unavailable.
    public var maxAttempts: Int
    /// Attempts of one request (the first included) for other failures (500, malformed body).
    public var maxOtherAttempts: Int
    /// The first backoff; each retry doubles it.
    public var baseDelay: Duration
    /// The longest single wait, also for a larger `Retry-After`.
    public var maxDelay: Duration
    /// The most one client sleeps in total across all its retries; past it, failures are final.
    public var totalBudget: Duration

    public init(
        maxAttempts: Int = 6, maxOtherAttempts: Int = 3, baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(60), totalBudget: Duration = .seconds(600)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxOtherAttempts = max(1, maxOtherAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.totalBudget = totalBudget
    }

    /// The policy used when none is given.
    public static let standard = RetryPolicy()

    /// Whether a request that failed on attempt `attempt` (1-based) may be tried again.
    func allowsRetry(after attempt: Int, of failure: GraphFailure) -> Bool {
        switch failure.retry {
        case .never: false
        case .transient: attempt < maxAttempts
        case .limited: attempt < min(maxOtherAttempts, maxAttempts)
        }
    }

    /// The wait before the next attempt: `Retry-After` when the server gave one, else
    /// exponential backoff with equal jitter; never more than `maxDelay`.
    func delay(after attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxDelay)
        }
        let exponent = min(max(attempt - 1, 0), 30)
        let backoff = min(baseDelay * (1 << exponent), maxDelay)
        let seconds = Double(backoff.components.seconds) + Double(backoff.components.attoseconds) / 1e18
        let jittered = seconds / 2 + Double.random(in: 0...(seconds / 2))
        return min(.milliseconds(Int64((jittered * 1000).rounded())), maxDelay)
    }
}
