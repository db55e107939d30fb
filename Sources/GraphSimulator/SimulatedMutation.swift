/// What `GraphSimulator.mutate` did to a tenant.
public struct SimulatedMutation: Sendable, Hashable {
    /// One policy, by type key and Graph id.
    public struct Policy: Sendable, Hashable {
        public let type: String
        public let id: String
    }

    public var changed: [Policy] = []
    public var added: [Policy] = []
    public var deleted: [Policy] = []

    public init() {}
}
