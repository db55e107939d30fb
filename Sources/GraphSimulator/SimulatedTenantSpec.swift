/// How many policies of each type a simulated tenant holds, and how big they are.
public struct SimulatedTenantSpec: Sendable, Hashable, ExpressibleByIntegerLiteral {
    /// Policies per type key; types not named get `defaultCount`.
    public var counts: [String: Int]
    /// Policies of each type not in `counts`.
    public var defaultCount: Int
    /// Settings of every settings catalog policy and intent; nil for a seeded 3…40.
    public var settingsPerPolicy: Int?
    /// Assignments of every policy; nil for a seeded 0…6, with every 25th policy given more
    /// than a page of them.
    public var assignmentsPerPolicy: Int?

    public init(
        counts: [String: Int] = [:], defaultCount: Int = 0, settingsPerPolicy: Int? = nil,
        assignmentsPerPolicy: Int? = nil
    ) {
        self.counts = counts
        self.defaultCount = defaultCount
        self.settingsPerPolicy = settingsPerPolicy
        self.assignmentsPerPolicy = assignmentsPerPolicy
    }

    /// `n` policies of every registry type.
    public static func policiesPerType(_ count: Int) -> SimulatedTenantSpec {
        SimulatedTenantSpec(defaultCount: count)
    }

    /// Exactly these counts per type key; other types are empty.
    public static func counts(_ counts: [String: Int]) -> SimulatedTenantSpec {
        SimulatedTenantSpec(counts: counts)
    }

    public init(integerLiteral value: Int) {
        self.init(defaultCount: value)
    }

    func count(for key: String) -> Int { counts[key] ?? defaultCount }
}
