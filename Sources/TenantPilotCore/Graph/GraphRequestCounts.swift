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
    /// Writes (POST, PATCH, PUT, DELETE) of a restore, retries included.
    public var write = 0
    /// Sub-requests carried inside batches, retries included.
    public var batchedRequests = 0
    /// Attempts that were retried.
    public var retries = 0

    public init() {}
}
