/// What `doctor --online` asks of Microsoft Graph for one tenant: a token, then one read.
///
/// The Graph client is plugged in here (an adapter over `URLSessionGraphClient`); `Doctor`
/// only composes the results into checks. Implementations read the tenant's secret from its
/// source themselves and must never put it, or the token, into an outcome's detail.
public protocol GraphProbing: Sendable {
    /// Requests a client-credentials token from the tenant's authority.
    func acquireToken(for tenant: Tenant) async -> GraphProbeOutcome
    /// Reads the first page of one policy type's collection with that token.
    func readFirstPage(of type: PolicyType, for tenant: Tenant) async -> GraphProbeOutcome
}

/// The outcome of one probe: a short description either way (`token valid for 59 min`,
/// `3 policies on the first page`, `HTTP 401 from the authority: AADSTS7000215 …`).
public enum GraphProbeOutcome: Sendable, Equatable {
    case succeeded(String)
    case failed(String)
}
