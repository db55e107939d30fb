import Foundation

/// One policy of the target as the plan read it: what its collection listed, and its full
/// payload when the capture succeeded.
struct LivePolicy: Sendable {
    let id: String
    let displayName: String
    /// Nil when the policy was listed but could not be read whole.
    let payload: JSONValue?
}

/// Finds the target policy a backed-up policy corresponds to (docs/restore.md, "Matching"): in the tenant the
/// set came from by Graph id, then by display name; in another tenant by display name only. Two
/// candidates with the same name are never guessed between.
struct RestoreMatcher: Sendable {
    enum Match: Sendable {
        case matched(LivePolicy)
        case none
        /// Several target policies carry the name.
        case ambiguous(count: Int)
    }

    private let byId: [String: LivePolicy]
    private let byName: [String: [LivePolicy]]
    private let sameTenant: Bool

    init(live: [LivePolicy], sameTenant: Bool) {
        var byId: [String: LivePolicy] = [:]
        var byName: [String: [LivePolicy]] = [:]
        for policy in live {
            byId[policy.id] = byId[policy.id] ?? policy
            byName[policy.displayName, default: []].append(policy)
        }
        self.byId = byId
        self.byName = byName
        self.sameTenant = sameTenant
    }

    func match(graphId: String, displayName: String) -> Match {
        if sameTenant, let policy = byId[graphId] { return .matched(policy) }
        let candidates = byName[displayName] ?? []
        switch candidates.count {
        case 0: return .none
        case 1: return .matched(candidates[0])
        default: return .ambiguous(count: candidates.count)
        }
    }
}
