/// A schedule's retention rules, as restic's `forget` has them: the newest `keepLast` sets, and
/// the newest set of each of the last `keepDaily` days (`keepWeekly` ISO weeks, `keepMonthly`
/// months, `keepYearly` years) that have a set, counted in the schedule's time zone. A set is
/// kept when any rule keeps it. Nil is "no such rule"; a policy without any rule keeps the newest
/// `defaultKeepLast` sets.
public struct RetentionPolicy: Sendable, Hashable {
    /// What a schedule keeps when it was given no rule at all.
    public static let defaultKeepLast = 30
    /// The largest count any rule accepts.
    public static let maximumCount = 100_000

    public var keepLast: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?
    public var keepYearly: Int?

    public init(
        keepLast: Int? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil, keepMonthly: Int? = nil,
        keepYearly: Int? = nil
    ) {
        self.keepLast = keepLast
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
        self.keepYearly = keepYearly
    }

    /// The policy of a schedule given no rule: the newest 30 sets.
    public static let standard = RetentionPolicy()

    /// Whether any rule was given.
    public var hasRule: Bool {
        keepLast != nil || keepDaily != nil || keepWeekly != nil || keepMonthly != nil || keepYearly != nil
    }

    /// The keep-last rule in force: the one given, or 30 when no rule at all was given.
    public var effectiveKeepLast: Int? { hasRule ? keepLast : Self.defaultKeepLast }

    /// The calendar rules in force, in the order they are reported.
    public var calendarRules: [(period: RetentionPeriod, count: Int)] {
        [(.daily, keepDaily), (.weekly, keepWeekly), (.monthly, keepMonthly), (.yearly, keepYearly)]
            .compactMap { period, count in count.map { (period, $0) } }
    }

    /// The most sets these rules keep: each keeps at most its count (the pinned sets and the
    /// newest successful one aside).
    public var mostKept: Int {
        (effectiveKeepLast ?? 0) + calendarRules.reduce(0) { $0 + $1.count }
    }

    /// `last 30`, or `last 7, daily 7, weekly 4, monthly 12, yearly 3`.
    public var summary: String {
        var parts: [String] = []
        if let last = effectiveKeepLast { parts.append("last \(last)") }
        parts += calendarRules.map { "\($0.period.rawValue) \($0.count)" }
        return parts.joined(separator: ", ")
    }

    /// The count of one rule.
    public func count(_ rule: RetentionRule) -> Int? {
        switch rule {
        case .last: keepLast
        case .daily: keepDaily
        case .weekly: keepWeekly
        case .monthly: keepMonthly
        case .yearly: keepYearly
        }
    }

    /// Sets the count of one rule (nil: no such rule).
    public mutating func set(_ rule: RetentionRule, _ count: Int?) {
        switch rule {
        case .last: keepLast = count
        case .daily: keepDaily = count
        case .weekly: keepWeekly = count
        case .monthly: keepMonthly = count
        case .yearly: keepYearly = count
        }
    }

    /// Whether some rule keeps fewer sets than in `old` (a smaller count, or a rule gone).
    public func lowers(_ old: RetentionPolicy) -> Bool {
        let before = old.effective
        let after = effective
        return RetentionRule.allCases.contains { rule in
            guard let previous = before.count(rule) else { return false }
            guard let now = after.count(rule) else { return true }
            return now < previous
        }
    }

    /// The rules in force, the default keep-last written out.
    public var effective: RetentionPolicy {
        var policy = self
        policy.keepLast = effectiveKeepLast
        return policy
    }
}

/// One of the rules a schedule can have, named as its option (`--keep-daily`) and its column
/// (`keep_daily`) are.
public enum RetentionRule: String, Sendable, Hashable, CaseIterable {
    case last, daily, weekly, monthly, yearly

    /// `--keep-daily`.
    public var option: String { "--keep-\(rawValue)" }
}

/// The calendar period of a calendar rule.
public enum RetentionPeriod: String, Sendable, Hashable, CaseIterable {
    case daily, weekly, monthly, yearly

    public var rule: RetentionRule {
        switch self {
        case .daily: .daily
        case .weekly: .weekly
        case .monthly: .monthly
        case .yearly: .yearly
        }
    }
}
