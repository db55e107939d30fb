/// An alert on run events (a row of `hooks`): which events, for which runs (every run, a
/// tenant's, or a schedule's), and how it is delivered. A URL that must not be stored is read
/// from an environment variable at delivery time instead (`targetEnv`).
public struct Hook: Sendable, Equatable {
    /// What happened. A run's end is one of `success`, `partial`, `failure`, `skipped` or
    /// `abandoned`; `start` comes before it; `drift` is a drift check that found differences.
    public enum Event: String, Sendable, Codable, CaseIterable {
        case start, success, partial, failure, skipped, abandoned, drift

        /// The event of a run that has ended.
        public static func ended(_ run: RunDocument) -> Event? {
            switch run.status {
            case .success: .success
            case .partial: .partial
            case .failed: run.errorCode == .abandoned ? .abandoned : .failure
            case .skipped: .skipped
            case .pending, .running: nil
            }
        }
    }

    /// How a hook is delivered.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A POST of the event as JSON.
        case webhook
        /// `/bin/sh -c COMMAND`, the run JSON on stdin.
        case command
        /// A healthchecks.io-style ping: `URL/start`, `URL`, `URL/fail`.
        case ping
    }

    /// How long one attempt may take, unless the hook says otherwise.
    public static let defaultTimeoutSeconds = 10
    /// The longest timeout a hook may ask for.
    public static let maximumTimeoutSeconds = 120

    public var id: Int64?
    public var events: [Event]
    /// Only runs of this tenant (nil: every tenant, or the schedule's).
    public var tenantId: Int64?
    /// Only runs of this schedule.
    public var scheduleId: Int64?
    public var kind: Kind
    /// The URL or the command; nil when the URL is read from `targetEnv`.
    public var target: String?
    /// The environment variable holding the URL (`--webhook-env`, `--ping-env`).
    public var targetEnv: String?
    public var timeoutSeconds: Int
    public var createdAt: Instant

    public init(
        id: Int64? = nil, events: [Event], tenantId: Int64?, scheduleId: Int64?, kind: Kind, target: String?,
        targetEnv: String?, timeoutSeconds: Int = Hook.defaultTimeoutSeconds, createdAt: Instant
    ) {
        self.id = id
        self.events = events
        self.tenantId = tenantId
        self.scheduleId = scheduleId
        self.kind = kind
        self.target = target
        self.targetEnv = targetEnv
        self.timeoutSeconds = timeoutSeconds
        self.createdAt = createdAt
    }

    public var rowID: Int64 { id ?? 0 }

    /// Whether the hook fires for `event` of a run of this tenant and schedule.
    public func fires(on event: Event, tenantId: Int64, scheduleId: Int64?) -> Bool {
        guard events.contains(event) else { return false }
        if let wanted = self.scheduleId { return wanted == scheduleId }
        if let wanted = self.tenantId { return wanted == tenantId }
        return true
    }

    /// Where it goes, as it may be shown anywhere: a URL with its path and query redacted
    /// (`https://hooks.example.com/…`), `$VAR` for a URL read from the environment, or the command.
    public var shownTarget: String {
        if let targetEnv { return "$" + targetEnv }
        guard let target else { return "-" }
        return kind == .command ? target : HookURL.redacted(target)
    }
}
