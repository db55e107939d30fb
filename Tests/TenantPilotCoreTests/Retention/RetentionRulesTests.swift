import Testing

@testable import TenantPilotCore

@Suite struct RetentionRulesTests {
    typealias Candidate = RetentionRules.Candidate

    /// (statuses oldest first, keep_last, expected actions oldest first: k = keep, d = delete)
    @Test(arguments: [
        ("ccccc", 3, "ddkkk"),
        ("ccccc", 5, "kkkkk"),
        ("ccccc", 9, "kkkkk"),
        ("ccppp", 3, "dkkkk"),  // newest complete survives behind three partials
        ("cpppp", 2, "kddkk"),
        ("ppppp", 2, "dddkk"),  // no complete set: nothing extra to keep
        ("cpcpp", 1, "ddkdk"),
        ("", 3, ""),
    ])
    func decides(statuses: String, keepLast: Int, expected: String) {
        let sets = statuses.enumerated().map { index, letter in
            Candidate(id: Int64(index + 1), status: letter == "c" ? .complete : .partial)
        }
        let decisions = RetentionRules.decide(sets: sets, keepLast: keepLast)
        let actions = sets.map { decisions[$0.id]?.action == .keep ? "k" : "d" }.joined()
        #expect(actions == expected)
    }

    @Test func reasonsNameEveryRuleThatKeepsASet() {
        let sets = [
            Candidate(id: 1, status: .complete), Candidate(id: 2, status: .complete),
            Candidate(id: 3, status: .partial), Candidate(id: 4, status: .complete),
            Candidate(id: 5, status: .partial),
        ]
        let decisions = RetentionRules.decide(sets: sets, keepLast: 2)
        #expect(decisions[5]?.reasons == ["within newest 2"])
        #expect(decisions[4]?.reasons == ["within newest 2", "newest complete set"])
        #expect(decisions[3]?.reasons == ["older than the newest 2"])
        #expect(decisions[1]?.action == .delete)
    }
}
