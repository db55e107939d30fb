import Foundation

/// What the backup service needs from Microsoft Graph: the policies of a type, and the full
/// payload of each (docs/architecture.md). `URLSessionGraphClient` is the real one; tests run it against the
/// Graph simulator or replace it with a double.
public protocol GraphClient: Sendable {
    /// Every policy of a type (all pages, every collection the registry names for it), as the
    /// collections return them.
    func listPolicies(of type: PolicyType) async throws(TenantPilotError) -> [JSONValue]

    /// The full payload of each listed policy per docs/architecture.md's payload rule: GET by id when
    /// `type.fetchById`, each sub-resource (all pages) placed under its `property`,
    /// children nested (definitionValues → each with its presentationValues), `expand`
    /// applied. Keyed by Graph id; a per-policy failure is reported, not thrown.
    func capturePolicies(of type: PolicyType, listed: [JSONValue]) async -> [String: Result<
        JSONValue, TenantPilotError
    >]

    /// Tells `observer` how long requests wait for Graph's request budget (docs/operations.md, "Graph's request limits"), and nil
    /// once they go again. Clients that do not pace ignore it.
    func observeBudgetWaits(_ observer: @escaping @Sendable (Duration?) -> Void)
}

extension GraphClient {
    public func observeBudgetWaits(_ observer: @escaping @Sendable (Duration?) -> Void) {}
}
