import Foundation

/// Validation of the parts of a schedule that need no database: zone, timetable, policy
/// types, retention rules. Run before the store is opened, so bad input never writes anything.
public enum ScheduleInput {
    public static let maximumKeepLast = RetentionPolicy.maximumCount

    /// `--timezone`: an IANA zone known to the tz database.
    public static func zone(_ identifier: String) throws(TenantPilotError) -> TimeZone {
        try ScheduleZone.resolve(identifier)
    }

    /// `--at … [--days …]` or `--cron …`, exactly one of the two forms.
    public static func timetable(at times: [String], days: String?, cron: String?) throws(TenantPilotError) -> Timetable
    {
        switch (times.isEmpty, cron) {
        case (false, nil):
            return try Timetable.localTimes(parsing: times, days: Self.days(days))
        case (true, let expression?):
            if days != nil {
                throw .invalid("--days goes with --at, not with --cron (put the weekdays in the cron expression)")
            }
            return try Timetable.cron(parsing: expression)
        case (false, .some):
            throw .invalid("give either --at HH:MM or --cron EXPR, not both")
        case (true, nil):
            throw .invalid("give a timetable: --at HH:MM [--days mon,…] or --cron \"EXPR\"")
        }
    }

    /// `--types k1,k2` (or `all`): known registry keys, at least one, duplicates dropped, order kept.
    /// An unknown key is refused with the nearest valid keys.
    public static func policyTypes(_ values: [String], registry: PolicyTypeRegistry) throws(TenantPilotError)
        -> [String]
    {
        let keys = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if keys.contains(where: \.isEmpty) && !keys.allSatisfy(\.isEmpty) {
            throw .invalid("--types \"\(values.joined(separator: ","))\" has an empty entry")
        }
        let nonEmpty = keys.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else {
            throw .invalid("--types must name at least one policy type; see `tenantpilot policy-types list`")
        }
        // `all`: every key of the registry.
        if nonEmpty == ["all"] { return registry.keys }
        var result: [String] = []
        for key in nonEmpty where !result.contains(key) {
            guard registry.type(forKey: key) != nil else {
                let nearest = registry.suggestions(for: key).joined(separator: ", ")
                throw .invalid(
                    "unknown policy type \"\(key)\"; nearest valid keys: \(nearest) (see `tenantpilot policy-types list`)"
                )
            }
            result.append(key)
        }
        return result
    }

    /// `--days`: `daily`, `all` or `*` mean every day (as no `--days` does).
    static func days(_ value: String?) -> String? {
        guard let value else { return nil }
        return ["daily", "all", "every", "*", "everyday"].contains(value.lowercased()) ? nil : value
    }

    /// `--keep-last N`: at least 1.
    public static func keepLast(_ value: Int) throws(TenantPilotError) -> Int {
        try ruleCount(value, .last)
    }

    /// The count of `--keep-last`, `--keep-daily`, …: at least 1, at most 100,000.
    public static func ruleCount(_ value: Int, _ rule: RetentionRule) throws(TenantPilotError) -> Int {
        guard value >= 1 else {
            throw .invalid(
                "\(rule.option) \(value) must be at least 1 (leave the option out, or give `none` to "
                    + "`schedules update`, for no such rule)")
        }
        guard value <= maximumKeepLast else {
            throw .invalid("\(rule.option) \(value) is above the limit of \(maximumKeepLast)")
        }
        return value
    }

    /// The rules given to `schedules add`: a rule left out (or given as `none`) is not there; with
    /// no rule at all the schedule keeps its newest 30.
    public static func policy(_ rules: [RetentionRule: RetentionRuleChange]) throws(TenantPilotError)
        -> RetentionPolicy
    {
        var policy = RetentionPolicy()
        for rule in RetentionRule.allCases {
            if case .set(let count)? = rules[rule] { policy.set(rule, try ruleCount(count, rule)) }
        }
        return policy
    }

    /// Refuses a timetable that never yields a slot in its zone.
    public static func checkFires(_ timetable: Timetable, in zone: TimeZone, from instant: Date)
        throws(TenantPilotError)
    {
        if timetable.nextSlot(after: instant, in: zone) == nil {
            throw .invalid("the timetable \(timetable.summary) never fires in \(zone.identifier)")
        }
    }
}

/// A validated new schedule.
public struct ScheduleDraft: Sendable {
    public var tenantName: String
    public var name: String
    public var zone: TimeZone
    /// The zone as the user named it (Foundation reports `UTC` as `GMT`).
    public var zoneIdentifier: String
    public var timetable: Timetable
    public var policyTypes: [String]
    public var retention: RetentionPolicy
    public var enabled: Bool

    /// `keepLast` and `rules` are the retention options (`keepLast`, when given, is the keep-last
    /// rule).
    public init(
        tenantName: String, name: String, timezone: String, at times: [String], days: String?, cron: String?,
        types: [String], keepLast: Int?, rules: [RetentionRule: RetentionRuleChange] = [:], enabled: Bool,
        registry: PolicyTypeRegistry, now: Date
    ) throws(TenantPilotError) {
        self.tenantName = tenantName
        self.name = try InputValidation.name(name, what: "schedule")
        self.zone = try ScheduleInput.zone(timezone)
        self.zoneIdentifier = timezone
        self.timetable = try ScheduleInput.timetable(at: times, days: days, cron: cron)
        self.policyTypes = try ScheduleInput.policyTypes(types, registry: registry)
        var rules = rules
        if let keepLast { rules[.last] = .set(keepLast) }
        self.retention = try ScheduleInput.policy(rules)
        self.enabled = enabled
        try ScheduleInput.checkFires(timetable, in: zone, from: now)
    }
}

/// Validated changes to an existing schedule; `nil` leaves a field as it is.
public struct ScheduleChanges: Sendable {
    public var name: String?
    public var zone: TimeZone?
    public var zoneIdentifier: String?
    public var times: [String]
    public var days: String?
    public var cron: String?
    public var policyTypes: [String]?
    /// Retention rules to set or remove; a rule not named stays as it is.
    public var retention: [RetentionRule: RetentionRuleChange]

    public init(
        name: String?, timezone: String?, at times: [String], days: String?, cron: String?, types: [String],
        keepLast: Int?, rules: [RetentionRule: RetentionRuleChange] = [:], registry: PolicyTypeRegistry
    ) throws(TenantPilotError) {
        self.name = try name.map { (value: String) throws(TenantPilotError) in
            try InputValidation.name(value, what: "schedule")
        }
        self.zone = try timezone.map { (value: String) throws(TenantPilotError) in try ScheduleInput.zone(value) }
        self.zoneIdentifier = timezone
        if !times.isEmpty && cron != nil { throw .invalid("give either --at HH:MM or --cron EXPR, not both") }
        if days != nil && cron != nil { throw .invalid("--days goes with --at, not with --cron") }
        self.times = times
        self.days = days
        self.cron = cron
        if let cron { _ = try Timetable.cron(parsing: cron) }
        if !times.isEmpty { _ = try Timetable.localTimes(parsing: times, days: ScheduleInput.days(days)) }
        self.policyTypes = types.isEmpty ? nil : try ScheduleInput.policyTypes(types, registry: registry)
        var rules = rules
        if let keepLast { rules[.last] = .set(keepLast) }
        for (rule, change) in rules {
            if case .set(let count) = change { _ = try ScheduleInput.ruleCount(count, rule) }
        }
        self.retention = rules
        if name == nil && timezone == nil && times.isEmpty && days == nil && cron == nil && types.isEmpty
            && rules.isEmpty
        {
            throw .invalid(
                "nothing to update: give at least one of --name, --timezone, --at, --days, --cron, --types, "
                    + "--keep-last, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly")
        }
    }

    /// The retention rules after the change.
    public func policy(from current: RetentionPolicy) -> RetentionPolicy {
        var policy = current
        for (rule, change) in retention {
            switch change {
            case .set(let count): policy.set(rule, count)
            case .remove: policy.set(rule, nil)
            }
        }
        return policy
    }

    /// Whether the change touches when the schedule fires (so its next slot is recomputed).
    public var changesTiming: Bool { zone != nil || !times.isEmpty || days != nil || cron != nil }

    /// The timetable after the change.
    func timetable(from current: Timetable) throws(TenantPilotError) -> Timetable {
        if let cron { return try Timetable.cron(parsing: cron) }
        if !times.isEmpty { return try Timetable.localTimes(parsing: times, days: ScheduleInput.days(days)) }
        if let days {
            guard case .localTimes(let currentTimes, _) = current, !currentTimes.isEmpty else {
                throw .invalid(
                    "--days applies to an --at timetable; this schedule uses cron: give --at with --days, or a new --cron"
                )
            }
            return try Timetable.localTimes(
                parsing: currentTimes.sorted().map(\.description), days: ScheduleInput.days(days))
        }
        return current
    }
}

/// A retention option as given: a count, or `none` (`schedules update`: remove the rule).
public enum RetentionRuleChange: Sendable, Hashable {
    case set(Int)
    case remove

    /// `7`, or `none` / `off`; anything else is nil (the command line names it as bad input).
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "none", "off": self = .remove
        default:
            guard let count = Int(text) else { return nil }
            self = .set(count)
        }
    }
}
