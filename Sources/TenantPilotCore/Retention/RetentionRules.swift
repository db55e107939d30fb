/// The rules of SPEC §7 as a pure function over one schedule's finished sets, so that a dry
/// run, a real run and the tests all decide the same way.
///
/// - the newest `keepLast` sets (complete or partial) are kept: "within newest N";
/// - the newest `complete` set is kept even when it is older: "newest complete set";
/// - every other set is deleted: "older than the newest N".
///
/// Sets still being written are not given to the rules at all: they are never touched.
public enum RetentionRules {
    /// A finished set as the rules see it.
    public struct Candidate: Sendable, Hashable {
        public var id: Int64
        public var status: BackupSetOutcome

        public init(id: Int64, status: BackupSetOutcome) {
            self.id = id
            self.status = status
        }
    }

    /// Decides for each candidate; returns (action, reasons) in the order of `sets`, which
    /// need not be sorted. "Newest" is the highest id (the set begun last), never a clock.
    public static func decide(sets: [Candidate], keepLast: Int) -> [Int64: (RetentionDecision.Action, [String])] {
        let newestFirst = sets.sorted { $0.id > $1.id }
        let newestComplete = newestFirst.first { $0.status == .complete }?.id
        var result: [Int64: (RetentionDecision.Action, [String])] = [:]
        for (index, set) in newestFirst.enumerated() {
            var reasons: [String] = []
            if index < keepLast { reasons.append("within newest \(keepLast)") }
            if set.id == newestComplete { reasons.append("newest complete set") }
            if reasons.isEmpty {
                result[set.id] = (.delete, ["older than the newest \(keepLast)"])
            } else {
                result[set.id] = (.keep, reasons)
            }
        }
        return result
    }
}
