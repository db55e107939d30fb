import Foundation
import TenantPilotCore

/// Graph's request limits as the simulator enforces them per tenant (docs/operations.md, "Graph's request limits"): every Graph
/// request counts, each sub-request of a `$batch` alone (the batch itself does not), and so
/// does every refused one — "all requests accrue against your usage limits". Over the limit,
/// Intune answers 429 with `Retry-After`; conditional access answers 429 without it.
public struct SimulatedThrottling: Sendable, Hashable {
    /// Intune requests per `window`.
    public var requests: Int
    /// Intune writes (POST, PATCH, PUT, DELETE) per `window`, counted among `requests` too.
    public var writes: Int
    public var window: Duration
    /// Conditional access requests per `conditionalAccessWindow`.
    public var conditionalAccessRequests: Int
    public var conditionalAccessWindow: Duration

    public init(
        requests: Int = 1_000, writes: Int = 100, window: Duration = .seconds(20), conditionalAccessRequests: Int = 1,
        conditionalAccessWindow: Duration = .seconds(1)
    ) {
        self.requests = max(1, requests)
        self.writes = max(1, writes)
        self.window = window
        self.conditionalAccessRequests = max(1, conditionalAccessRequests)
        self.conditionalAccessWindow = conditionalAccessWindow
    }

    /// The limits Microsoft documents.
    public static let graph = SimulatedThrottling()
}

/// Why a request was refused.
struct BudgetRefusal {
    /// `Retry-After` in whole seconds, nil for conditional access (Graph sends none there).
    let retryAfterSeconds: Int?
}

/// Arrival times of one tenant's requests within one window.
struct RequestWindow {
    private var arrivals: [Date] = []
    private var start = 0

    /// Counts a request arriving at `now` and tells whether it was over `limit`; if so, when the
    /// oldest counted request leaves the window.
    mutating func arrive(at now: Date, limit: Int, window: TimeInterval) -> Date? {
        while start < arrivals.count, arrivals[start] <= now.addingTimeInterval(-window) { start += 1 }
        if start > 4096, start * 2 > arrivals.count {
            arrivals.removeFirst(start)
            start = 0
        }
        let over = arrivals.count - start >= limit
        let oldest = over ? arrivals[start].addingTimeInterval(window) : nil
        arrivals.append(now)
        return oldest
    }
}
