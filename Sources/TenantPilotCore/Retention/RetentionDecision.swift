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
    /// Every rule that applies, most important first ("within newest 30", "newest complete set").
    public var reasons: [String]

    public init(setId: Int64, createdAt: Instant, status: BackupSetOutcome, action: Action, reasons: [String]) {
        self.setId = setId
        self.createdAt = createdAt
        self.status = status
        self.action = action
        self.reasons = reasons
    }

    /// The reasons as one line.
    public var reason: String { reasons.joined(separator: "; ") }

    enum CodingKeys: String, CodingKey {
        case id, createdAt, status, action, reason, reasons
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(setId, forKey: .id)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(action, forKey: .action)
        try container.encode(reason, forKey: .reason)
        try container.encode(reasons, forKey: .reasons)
    }
}
