/// What `drift` found: one check per schedule (or tenant), as `drift --json` prints it.
public struct DriftReport: Encodable, Sendable {
    /// A policy added or removed since the set.
    public struct Policy: Encodable, Sendable, Hashable {
        public let type: String
        public let graphId: String
        public let displayName: String
    }

    /// A policy in both, with every property that differs (old: the set's, new: the live one).
    public struct Changed: Encodable, Sendable {
        public let type: String
        public let graphId: String
        public let displayName: String
        public let changes: [PropertyChange]
    }

    /// Why a check could not be done, as `{"code", "message"}`.
    public struct Problem: Encodable, Sendable {
        public let code: ErrorCode
        public let message: String
    }

    /// One comparison of a live tenant with a set.
    public struct Check: Encodable, Sendable {
        public let tenant: String
        /// `TENANT/NAME` of the schedule checked; nil for a tenant checked on its own.
        @Nullable public var schedule: String?
        /// The set compared against; nil when there was none.
        @Nullable public var against: Int64?
        public let added: [Policy]
        public let removed: [Policy]
        public let changed: [Changed]
        /// Why the check could not be done; absent when it was.
        public let error: Problem?

        init(
            tenant: String, schedule: String?, against: Int64?, added: [Policy], removed: [Policy], changed: [Changed],
            error: TenantPilotError?
        ) {
            self.tenant = tenant
            self.schedule = schedule
            self.against = against
            self.added = added
            self.removed = removed
            self.changed = changed
            self.error = error.map { Problem(code: $0.code, message: $0.message) }
        }

        public var drifted: Bool { !added.isEmpty || !removed.isEmpty || !changed.isEmpty }
    }

    public let checks: [Check]

    /// Whether any check found a difference.
    public var drift: Bool { checks.contains { $0.drifted } }

    /// docs/restore.md: 0 no drift, 5 drift, 1 a check could not be done.
    public var exitCode: Int32 {
        if checks.contains(where: { $0.error != nil }) { return ExitStatus.failure }
        return drift ? ExitStatus.differences : ExitStatus.success
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(drift, forKey: .drift)
        try container.encode(checks, forKey: .checks)
    }

    enum CodingKeys: String, CodingKey { case drift, checks }
}

/// Told about every check that found drift: where the `drift` event of `hooks` is fired
/// (`HookNotifier`), with the ids a hook's scope is matched against.
public protocol DriftObserving: Sendable {
    func drifted(_ check: DriftReport.Check, tenantId: Int64, scheduleId: Int64?) async
}
