import Foundation

/// The rules of retention as a pure function over one schedule's finished sets, so that a dry
/// run, a real run and the tests all decide the same way. restic's `forget` is the model:
///
/// - `keep_last N`: the newest N sets (complete or partial): "within newest N";
/// - `keep_daily N` (`weekly`, `monthly`, `yearly`): the newest set of each of the last N days
///   (ISO weeks, months, years) that have a set, in the schedule's time zone: "newest of
///   2026-03-29 (keep-daily 7)";
/// - a pinned set is kept: "pinned";
/// - the newest `complete` set is kept even when no rule keeps it: "newest complete set";
/// - every other set is deleted.
///
/// A set is kept when any rule keeps it, and every rule that keeps it is named. Every set is
/// weighed by every rule (a pinned set can be a day's newest). "Newest" is the highest id (the
/// set begun last), never a clock; the calendar rules read each set's `created_at` in the zone
/// to know its day, and "the last N days" are the N latest days that have a set. Sets still
/// being written are not given to the rules at all: they are never touched.
public enum RetentionRules {
    /// A finished set as the rules see it.
    public struct Candidate: Sendable, Hashable {
        public var id: Int64
        public var status: BackupSetOutcome
        public var createdAt: Instant
        public var pinned: Bool

        public init(
            id: Int64, status: BackupSetOutcome, createdAt: Instant = Instant(secondsSince1970: 0), pinned: Bool = false
        ) {
            self.id = id
            self.status = status
            self.createdAt = createdAt
            self.pinned = pinned
        }
    }

    /// Why a set is kept: a rule's stable key (`--json` `rules`) and its sentence (`reasons`).
    public enum Keeper: Sendable, Hashable {
        case last(Int)
        case period(RetentionPeriod, label: String, count: Int)
        case pinned
        case newestComplete

        /// `last`, `daily`, `weekly`, `monthly`, `yearly`, `pinned`, `newest_complete`.
        public var key: String {
            switch self {
            case .last: "last"
            case .period(let period, _, _): period.rawValue
            case .pinned: "pinned"
            case .newestComplete: "newest_complete"
            }
        }

        public var reason: String {
            switch self {
            case .last(let count): "within newest \(count)"
            case .period(let period, let label, let count):
                "newest of \(period == .weekly ? "week " : "")\(label) (keep-\(period.rawValue) \(count))"
            case .pinned: "pinned"
            case .newestComplete: "newest complete set"
            }
        }
    }

    /// What the rules decided for one set.
    public struct Verdict: Sendable, Hashable {
        public var action: RetentionDecision.Action
        /// Every rule that keeps the set, in the order of `RetentionRule` (empty: deleted).
        public var keepers: [Keeper]
        /// The sentences of the report: the keepers', or why nothing keeps the set.
        public var reasons: [String]
    }

    /// Decides for each candidate under `keepLast` alone.
    public static func decide(sets: [Candidate], keepLast: Int) -> [Int64: Verdict] {
        decide(sets: sets, policy: RetentionPolicy(keepLast: keepLast), zone: utc)
    }

    static let utc = TimeZone(secondsFromGMT: 0) ?? .current

    /// Decides for each candidate; `sets` need not be sorted.
    public static func decide(sets: [Candidate], policy: RetentionPolicy, zone: TimeZone) -> [Int64: Verdict] {
        let newestFirst = sets.sorted { $0.id > $1.id }
        var keepers: [Int64: [Keeper]] = [:]
        if let last = policy.effectiveKeepLast {
            for set in newestFirst.prefix(last) { keepers[set.id, default: []].append(.last(last)) }
        }
        let rules = policy.calendarRules
        if !rules.isEmpty {
            let calendar = RetentionCalendar(zone: zone)
            let periods = newestFirst.map { calendar.periods(of: $0.createdAt) }
            for (period, count) in rules {
                // The newest set of each period: the first met, newest first.
                var newestOfPeriod: [Int: Int] = [:]
                for (index, set) in periods.enumerated() where newestOfPeriod[set.key(period)] == nil {
                    newestOfPeriod[set.key(period)] = index
                }
                for key in newestOfPeriod.keys.sorted(by: >).prefix(count) {
                    guard let index = newestOfPeriod[key] else { continue }
                    keepers[newestFirst[index].id, default: []].append(
                        .period(period, label: periods[index].label(period), count: count))
                }
            }
        }
        let newestComplete = newestFirst.first { $0.status == .complete }?.id
        var result: [Int64: Verdict] = [:]
        for set in newestFirst {
            var kept = keepers[set.id] ?? []
            if set.pinned { kept.append(.pinned) }
            if set.id == newestComplete { kept.append(.newestComplete) }
            if kept.isEmpty {
                result[set.id] = Verdict(action: .delete, keepers: [], reasons: [deleteReason(policy)])
            } else {
                result[set.id] = Verdict(action: .keep, keepers: kept, reasons: kept.map(\.reason))
            }
        }
        return result
    }

    /// Why a set no rule keeps goes.
    static func deleteReason(_ policy: RetentionPolicy) -> String {
        if policy.calendarRules.isEmpty, let last = policy.effectiveKeepLast { return "older than the newest \(last)" }
        return "kept by no rule (\(policy.summary))"
    }
}
