/// What the simulator has been asked, for tests and benchmarks to check a client's traffic.
public struct SimulatorRequestCounts: Sendable, Hashable {
    /// HTTP requests received (token, Graph and `$batch`; control requests excluded).
    public var http = 0
    /// Token requests.
    public var token = 0
    /// `$batch` requests.
    public var batch = 0
    /// Graph requests, plain or inside a batch (each sub-request counts).
    public var graph = 0
    /// Collection listings (every page).
    public var list = 0
    /// GETs of one policy by id.
    public var getByID = 0
    /// Sub-resource collections (every page, children included).
    public var subresource = 0
    /// Requests answered with an injected fault instead of their real answer.
    public var faults = 0
    /// Requests refused with 429 because the tenant's request limit was spent (`throttling`).
    public var throttled = 0
    /// Graph requests by path (without the query), plain or inside a batch.
    public var byPath: [String: Int] = [:]

    public init() {}

    /// Graph requests whose path contains `text`.
    public func requests(toPathContaining text: String) -> Int {
        byPath.reduce(0) { $0 + ($1.key.contains(text) ? $1.value : 0) }
    }
}
