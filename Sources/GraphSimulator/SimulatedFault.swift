import Foundation

/// A failure the simulator injects, as Graph or the network produce them.
public enum SimulatedFault: Sendable, Hashable {
    /// 429 Too Many Requests, with the given `Retry-After`.
    case throttle(RetryAfterHint)
    /// 503 Service Unavailable, with the given `Retry-After`.
    case unavailable(RetryAfterHint)
    /// 500 Internal Server Error.
    case serverError
    /// 401 Unauthorized (on the token endpoint: the credentials are refused).
    case unauthorized
    /// 403 Forbidden.
    case forbidden
    /// 200 with a body that is not JSON.
    case malformedBody
    /// 200 with the JSON body cut off halfway (its length consistent, so only parsing notices).
    case cutOffBody
    /// The response headers are sent, then the connection is closed without the body.
    case dropConnection
    /// An answer no honest server gives (redirects, drips, endless pages, absurd headers).
    case hostile(HostileResponse)
}

/// The `Retry-After` header a throttling fault sends.
public enum RetryAfterHint: Sendable, Hashable {
    /// No header.
    case none
    /// `Retry-After: N`.
    case seconds(Int)
    /// `Retry-After: <HTTP-date N seconds from now>`.
    case httpDate(secondsFromNow: Int)
}

/// Which requests a fault applies to. Requests carried in a `$batch` are matched one by one.
public enum FaultTarget: Sendable, Hashable {
    /// The token endpoint.
    case token
    /// The `$batch` request itself.
    case batch
    /// Listing the collection of a policy type (every page).
    case collection(typeKey: String)
    /// Every Graph request about a policy type (list, by id, sub-resources).
    case type(typeKey: String)
    /// Graph requests whose path contains the text.
    case pathContaining(String)
    /// Every Graph request (not the token endpoint, not `$batch` itself).
    case anyGraphRequest
}

/// A fault with how often it fires.
struct FaultRule: Sendable {
    let fault: SimulatedFault
    let target: FaultTarget
    /// Times left; nil for ever.
    var remaining: Int?
}
