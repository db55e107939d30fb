import Foundation

/// How many HTTP requests a client has sent, by kind (benchmarks and tests read it).
public struct GraphRequestCounts: Sendable, Hashable {
    /// Every HTTP request, retries included.
    public var total = 0
    /// Token requests to the authority.
    public var token = 0
    /// JSON `$batch` requests (each carries up to 20 Graph requests).
    public var batch = 0
    /// Plain GETs (collection pages, next links, single requests).
    public var get = 0
    /// Sub-requests carried inside batches, retries included.
    public var batchedRequests = 0
    /// Attempts that were retried.
    public var retries = 0
    /// Requests spent from the tenant's budget: each plain request, each batch sub-request, and
    /// each batch itself (counted to be safe), retries included.
    public var budgetUnits = 0
    /// Answers 429 (plain or inside a batch): zero in normal operation, since requests are paced.
    public var throttled = 0

    public init() {}
}
