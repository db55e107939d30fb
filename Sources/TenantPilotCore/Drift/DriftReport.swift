/// What `drift` found: one check per schedule (or tenant), as `drift --json` prints it.
public struct DriftReport: Encodable, Sendable {
    /// A policy added or removed since the set.
    public struct Policy: Encodable, Sendable, Hashable {
        public let type: String
        public let graph_id: String
        public let display_name: String
    }

    /// A policy in both, with every property that differs (old: the set's, new: the live one).
    public struct Changed: Encodable, Sendable {
        public let type: String
        public let graph_id: String
        public let display_name: String
        public let changes: [PropertyChange]
    }

    /// One comparison of a live tenant with a set.
    public struct Check: Encodable, Sendable {
        public let tenant: String
        /// `TENANT/NAME` of the schedule checked; nil for a tenant checked on its own.
        public let schedule: String?
        /// The set compared against; nil when there was none.
        public let against: Int64?
        public let added: [Policy]
        public let removed: [Policy]
        public let changed: [Changed]
        /// Why the check could not be done; nil when it was.
        public let error: TenantPilotError?

        public var drifted: Bool { !added.isEmpty || !removed.isEmpty || !changed.isEmpty }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tenant, forKey: .tenant)
            try container.encode(schedule, forKey: .schedule)
            try container.encode(against, forKey: .against)
            try container.encode(added, forKey: .added)
            try container.encode(removed, forKey: .removed)
            try container.encode(changed, forKey: .changed)
            if let error {
                try container.encode(ErrorDocument(code: error.code, message: error.message), forKey: .error)
            }
        }

        enum CodingKeys: String, CodingKey { case tenant, schedule, against, added, removed, changed, error }

        struct ErrorDocument: Encodable {
            let code: String
            let message: String
        }
    }

    public let checks: [Check]

    /// Whether any check found a difference.
    public var drift: Bool { checks.contains { $0.drifted } }

    /// SPEC §11: 0 no drift, 5 drift, 1 a check could not be done.
    public var exitCode: Int32 {
        if checks.contains(where: { $0.error != nil }) { return 1 }
        return drift ? 5 : 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(drift, forKey: .drift)
        try container.encode(checks, forKey: .checks)
    }

    enum CodingKeys: String, CodingKey { case drift, checks }
}

/// Told about every check that found drift: where the `drift` hook event of `hooks` is fired.
/// INTEGRATION POINT (issue 12, hooks): hooks do not exist yet; `drift` passes no observer.
/// When they do, an observer that fires each matching hook with the check goes here.
public protocol DriftObserving: Sendable {
    func drifted(_ check: DriftReport.Check) async
}
