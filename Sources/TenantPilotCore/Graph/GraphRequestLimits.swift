import Foundation

/// Microsoft Graph's throttling limits that the client paces under (docs/operations.md, "Graph's request limits"): Intune allows
/// 1,000 requests per 20 seconds per app and tenant, 100 of them writes, every `$batch`
/// sub-request counted; conditional access allows 1 request per second per tenant.
public struct GraphRequestLimits: Sendable, Hashable {
    /// Intune requests (reads and writes) per `window`.
    public var requests: Int
    /// Intune writes (POST, PATCH, PUT, DELETE) per `window`, counted among `requests` too.
    public var writes: Int
    /// The sliding window of `requests` and `writes`.
    public var window: Duration
    /// Conditional access requests per `conditionalAccessWindow`.
    public var conditionalAccessRequests: Int
    public var conditionalAccessWindow: Duration

    public init(
        requests: Int = 1_000, writes: Int = 100, window: Duration = .seconds(20), conditionalAccessRequests: Int = 1,
        conditionalAccessWindow: Duration = .seconds(1)
    ) {
        self.requests = max(1, requests)
        self.writes = max(1, min(writes, requests))
        self.window = window
        self.conditionalAccessRequests = max(1, conditionalAccessRequests)
        self.conditionalAccessWindow = conditionalAccessWindow
    }

    /// The limits Microsoft documents.
    public static let graph = GraphRequestLimits()

    /// The most requests of `limit` that one admission may carry (a `$batch` is split to fit).
    func capacity(of limit: RequestLimit) -> Int {
        switch limit {
        case .intune: requests
        case .conditionalAccess: conditionalAccessRequests
        }
    }
}

/// What one HTTP request costs against the limits: a plain request is 1; a `$batch` of 20 is 21
/// (its sub-requests, as Graph counts them, and the batch itself, in case it is counted too).
public struct GraphRequestCost: Sendable, Hashable {
    public var limit: RequestLimit
    /// Requests counted against the limit.
    public var requests: Int
    /// Of those, writes (Intune's 100 per window).
    public var writes: Int

    public init(limit: RequestLimit, requests: Int = 1, writes: Int = 0) {
        self.limit = limit
        self.requests = max(1, requests)
        self.writes = max(0, min(writes, self.requests))
    }

    /// One read.
    public static func read(_ limit: RequestLimit) -> GraphRequestCost { GraphRequestCost(limit: limit) }

    /// One write (POST, PATCH, PUT, DELETE, an `assign` action).
    public static func write(_ limit: RequestLimit) -> GraphRequestCost {
        GraphRequestCost(limit: limit, requests: 1, writes: 1)
    }
}
