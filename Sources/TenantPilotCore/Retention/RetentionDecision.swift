/// What retention does with one finished backup set, and why (the model is restic's
/// `forget` "reasons": every kept set says which rule kept it).
public struct RetentionDecision: Sendable, Hashable, Encodable {
    /// Keep or delete.
    public enum Action: String, Sendable, Hashable, Encodable {
        case keep
        case delete
    }

    public var setId: Int64
    public var createdAt: Instant
    public var status: BackupSetOutcome
    public var action: Action
    /// Every rule that applies, in rule order ("within newest 30", "newest of 2026-03-29
    /// (keep-daily 7)", "pinned", "newest complete set"), or why no rule keeps the set.
    public var reasons: [String]
    /// The keys of the rules that keep the set (`last`, `daily`, `weekly`, `monthly`, `yearly`,
    /// `pinned`, `newest_complete`); empty for a set that is deleted.
    public var rules: [String]

    public init(
        setId: Int64, createdAt: Instant, status: BackupSetOutcome, action: Action, reasons: [String],
        rules: [String] = []
    ) {
        self.setId = setId
        self.createdAt = createdAt
        self.status = status
        self.action = action
        self.reasons = reasons
        self.rules = rules
    }

    /// The reasons as one line.
    public var reason: String { reasons.joined(separator: "; ") }

    enum CodingKeys: String, CodingKey {
        case id, createdAt, status, action, reason, reasons, rules
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(setId, forKey: .id)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(action, forKey: .action)
        try container.encode(reason, forKey: .reason)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(rules, forKey: .rules)
    }
}
