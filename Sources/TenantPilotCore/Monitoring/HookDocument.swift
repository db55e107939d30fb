/// A hook as `hooks list --json` prints it; a URL only ever redacted.
public struct HookDocument: Encodable, Sendable, Equatable {
    public let id: Int64
    public let events: [Hook.Event]
    /// The tenant whose runs fire it (a schedule's tenant too); nil: every tenant.
    @Nullable public var tenant: String?
    /// The schedule whose runs fire it; nil: every schedule of the tenant (or every run).
    @Nullable public var schedule: String?
    @Nullable public var scheduleId: Int64?
    public let kind: Hook.Kind
    /// The redacted URL, or the command; nil for a URL read from `target_env`.
    @Nullable public var target: String?
    @Nullable public var targetEnv: String?
    public let timeoutSeconds: Int
    public let createdAt: Instant

    public init(_ entry: HookService.Entry) {
        let hook = entry.hook
        id = hook.rowID
        events = hook.events
        tenant = entry.tenantName
        schedule = entry.scheduleName
        scheduleId = hook.scheduleId
        kind = hook.kind
        target = hook.targetEnv == nil ? hook.shownTarget : nil
        targetEnv = hook.targetEnv
        timeoutSeconds = hook.timeoutSeconds
        createdAt = hook.createdAt
    }
}
