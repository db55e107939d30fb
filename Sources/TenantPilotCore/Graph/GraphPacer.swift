import Foundation

/// Keeps one app's requests to one tenant under Graph's limits (docs/operations.md, "Graph's request limits"), so that a backup,
/// drift check or restore provokes no 429 in normal operation.
///
/// A sliding window per limit: a request holds its units from the moment it is admitted until
/// one window after its response came back. Graph counts a request when it arrives, which is
/// somewhere between the two, so a window that starts at the response can never let more
/// through than Graph allows. Requests are admitted first come, first served; a 429 from
/// elsewhere (another app of the tenant) holds every request of that limit back for its
/// `Retry-After`.
///
/// One pacer per app and tenant in the process (`GraphPacer.shared(for:limits:)`), shared by
/// every client and run of that tenant. Writers use it through
/// `URLSessionGraphClient.sendPaced(_:kind:what:cost:)` with `GraphRequestCost.write(_:)`, or
/// directly: `admit` before sending, `release` when the response is in.
public actor GraphPacer {
    /// An admitted request; hand it back to `release` when its response is in (or it failed).
    public struct Ticket: Sendable, Hashable {
        fileprivate let id: Int
        fileprivate let cost: GraphRequestCost
    }

    /// A monotonic clock and a way to sleep on it; tests pass a manual one.
    public struct Timing: Sendable {
        public var now: @Sendable () -> Duration
        public var sleep: @Sendable (Duration) async throws -> Void

        public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void)
        {
            self.now = now
            self.sleep = sleep
        }

        /// `ContinuousClock`, measured from the first use.
        public static var continuous: Timing {
            let clock = ContinuousClock()
            let origin = clock.now
            return Timing(now: { clock.now - origin }, sleep: { try await Task.sleep(for: $0) })
        }
    }

    /// Units held in one window.
    private struct Window {
        let limit: Int
        let length: Duration
        /// Admitted requests: units and when their response came (nil while in flight).
        var entries: [Int: (units: Int, released: Duration?)] = [:]
        /// Requests of this window wait until then (a 429's `Retry-After`).
        var heldUntil: Duration = .zero

        init(limit: Int, length: Duration) {
            self.limit = limit
            self.length = length
        }

        mutating func prune(now: Duration) {
            entries = entries.filter { _, entry in entry.released.map { $0 + length > now } ?? true }
        }

        /// How long until `units` more fit; nil when only an in-flight request's return can
        /// make room.
        func delay(for units: Int, now: Duration) -> Duration? {
            let held = max(heldUntil - now, .zero)
            let used = entries.values.reduce(0) { $0 + $1.units }
            // A request larger than the whole window goes alone.
            let needed = min(units, limit)
            if used + needed <= limit { return held }
            var excess = used + needed - limit
            for release in entries.values.compactMap({ entry in entry.released.map { ($0, entry.units) } }).sorted(by: {
                $0.0 < $1.0
            }) {
                excess -= release.1
                if excess <= 0 { return max(release.0 + length - now, held) }
            }
            return nil
        }
    }

    public let limits: GraphRequestLimits
    private let timing: Timing
    private var windows: [String: Window] = [:]
    private var nextID = 0
    /// Admissions are served one at a time, in order of arrival.
    private var queue: [CheckedContinuation<Void, Never>] = []
    private var admitting = false
    /// The admission at the head waits for a response to come back.
    private var releaseWaiter: CheckedContinuation<Void, Never>?
    /// When the head of the queue expects to go, for waiters that join behind it.
    private var headResumesAt: Duration?
    /// Time admissions spent waiting for the budget, in total.
    private var waited: Duration = .zero

    public init(limits: GraphRequestLimits = .graph, timing: Timing = .continuous) {
        self.limits = limits
        self.timing = timing
    }

    /// Waits until `cost` fits under every limit it counts against, then admits it. `onWait` is
    /// told how long a request will wait (when at least a second) and nil once it goes. A
    /// cancelled task is admitted at once, so that it fails fast instead of waiting.
    public func admit(_ cost: GraphRequestCost, onWait: (@Sendable (Duration?) -> Void)? = nil) async -> Ticket {
        if admitting || !queue.isEmpty {
            if let resumes = headResumesAt {
                let estimate = resumes - timing.now()
                if estimate >= .seconds(1) { onWait?(estimate) }
            }
            await withCheckedContinuation { queue.append($0) }
        }
        admitting = true
        var reported = false
        let started = timing.now()
        // A cancelled task (a run past its deadline) stops waiting: its request fails at once.
        while !Task.isCancelled {
            let now = timing.now()
            var wait: Duration? = .zero
            for key in keys(of: cost) {
                windows[key, default: makeWindow(key)].prune(now: now)
                guard let window = windows[key] else { continue }
                switch (wait, window.delay(for: units(of: cost, in: key), now: now)) {
                case (let current?, let delay?): wait = max(current, delay)
                default: wait = nil
                }
            }
            if wait == .zero { break }
            if let wait {
                headResumesAt = now + wait
                if wait >= .seconds(1) {
                    onWait?(wait)
                    reported = true
                }
                try? await timing.sleep(wait)
            } else {
                headResumesAt = nil
                await withCheckedContinuation { releaseWaiter = $0 }
            }
        }
        headResumesAt = nil
        waited += timing.now() - started
        if reported { onWait?(nil) }
        nextID += 1
        let ticket = Ticket(id: nextID, cost: cost)
        for key in keys(of: cost) {
            windows[key]?.entries[ticket.id] = (units(of: cost, in: key), nil)
        }
        admitting = false
        if !queue.isEmpty { queue.removeFirst().resume() }
        return ticket
    }

    /// The request's response is in (or it failed): its units count for one window from now.
    public func release(_ ticket: Ticket) {
        let now = timing.now()
        for key in keys(of: ticket.cost) {
            windows[key]?.entries[ticket.id]?.released = now
        }
        releaseWaiter?.resume()
        releaseWaiter = nil
    }

    /// Graph answered 429 (another app used the budget): nothing of `limit` goes for `duration`.
    public func holdOff(_ limit: RequestLimit, for duration: Duration) {
        let until = timing.now() + duration
        for key in windowKeys(limit) {
            windows[key, default: makeWindow(key)].heldUntil = max(windows[key]?.heldUntil ?? .zero, until)
        }
    }

    /// How long admissions have waited for the budget so far.
    public var totalWait: Duration { waited }

    // MARK: - Windows

    private func keys(of cost: GraphRequestCost) -> [String] {
        switch cost.limit {
        case .intune: cost.writes > 0 ? ["intune", "intune.writes"] : ["intune"]
        case .conditionalAccess: ["conditionalAccess"]
        }
    }

    private func windowKeys(_ limit: RequestLimit) -> [String] {
        switch limit {
        case .intune: ["intune", "intune.writes"]
        case .conditionalAccess: ["conditionalAccess"]
        }
    }

    private func units(of cost: GraphRequestCost, in key: String) -> Int {
        key == "intune.writes" ? cost.writes : cost.requests
    }

    private func makeWindow(_ key: String) -> Window {
        switch key {
        case "intune.writes": Window(limit: limits.writes, length: limits.window)
        case "conditionalAccess":
            Window(limit: limits.conditionalAccessRequests, length: limits.conditionalAccessWindow)
        default: Window(limit: limits.requests, length: limits.window)
        }
    }

    // MARK: - One per app and tenant

    /// Which budget a pacer guards: Graph counts per app (client id) and tenant.
    public struct Key: Sendable, Hashable {
        public let graphURL: String
        public let tenant: String
        public let clientID: String

        public init(graphURL: URL, tenant: String, clientID: String) {
            self.graphURL = graphURL.absoluteString.lowercased()
            self.tenant = tenant.lowercased()
            self.clientID = clientID.lowercased()
        }
    }

    private static let registry = Locked([Key: GraphPacer]())

    /// The process's pacer of an app and tenant, made on first use with `limits`.
    public static func shared(for key: Key, limits: GraphRequestLimits = .graph) -> GraphPacer {
        registry.withLock { pacers in
            if let pacer = pacers[key] { return pacer }
            let pacer = GraphPacer(limits: limits)
            pacers[key] = pacer
            return pacer
        }
    }
}
