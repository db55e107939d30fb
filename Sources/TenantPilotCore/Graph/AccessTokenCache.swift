import Foundation

/// An OAuth2 access token and when to stop using it.
struct AccessToken: Sendable {
    let value: String
    /// The token is renewed from this instant on (shortly before it expires).
    let renewAt: Date
}

/// Caches a client's access token until shortly before it expires, and lets concurrent requests
/// share one token request. A refused credential is remembered: retrying it cannot succeed
/// within one run, and asking again would only add failed sign-ins to the tenant's log.
actor AccessTokenCache {
    private var cached: AccessToken?
    private var refused: TenantPilotError?
    private var inFlight: Task<Result<AccessToken, TenantPilotError>, Never>?

    func token(
        now: Date, fetch: @escaping @Sendable () async -> Result<AccessToken, TenantPilotError>
    ) async -> Result<String, TenantPilotError> {
        if let refused { return .failure(refused) }
        if let cached, now < cached.renewAt { return .success(cached.value) }
        let task: Task<Result<AccessToken, TenantPilotError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            task = Task { await fetch() }
            inFlight = task
        }
        // A waiter whose run is ending stops waiting; the request goes on for the others.
        guard let result = await FirstResult<Result<AccessToken, TenantPilotError>>.value(of: task) else {
            return .failure(GraphFailure.cancelled("a token").error)
        }
        if inFlight == task { inFlight = nil }
        switch result {
        case .success(let token):
            cached = token
            return .success(token.value)
        case .failure(let error):
            if error.code == .graphAuthFailed || error.code == .credentialsUnavailable {
                refused = error
            }
            return .failure(error)
        }
    }
}
