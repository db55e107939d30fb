import Foundation

/// One failed attempt of a Graph request, classified for the retry policy (docs/architecture.md).
struct GraphFailure: Error, Sendable {
    /// Whether and how often a failure like this one is retried.
    enum Retry: Sendable {
        /// 401, 403, 404, other 4xx: retrying cannot help.
        case never
        /// 429, 502, 503, 504, timeouts, dropped connections: backoff and `Retry-After`.
        case transient
        /// 500, malformed bodies: a small fixed number of attempts.
        case limited
    }

    var error: TenantPilotError
    var retry: Retry
    var retryAfter: Duration?
    /// The HTTP status Graph answered, when it answered (a 400 tells a refused `$expand`).
    var status: Int?

    init(_ code: ErrorCode, _ message: String, retry: Retry, retryAfter: Duration? = nil, status: Int? = nil) {
        self.error = .failed(message, code: code)
        self.retry = retry
        self.retryAfter = retryAfter
        self.status = status
    }

    init(final error: TenantPilotError) {
        self.error = error
        self.retry = .never
        self.retryAfter = nil
    }

    /// The error reported once no attempt is left.
    func final(attempts: Int) -> TenantPilotError {
        guard attempts > 1 else { return error }
        return .failed("\(error.message) (gave up after \(attempts) attempts)", code: error.code)
    }

    /// This failure as the last one, its HTTP status kept: no attempt is left.
    func finalFailure(attempts: Int) -> GraphFailure {
        var failure = self
        failure.error = final(attempts: attempts)
        failure.retry = .never
        return failure
    }

    /// Classifies an HTTP status of a Graph request (a plain one or a `$batch` sub-response).
    /// `nil` for success.
    static func forStatus(
        _ status: Int, what: String, body: JSONValue?, retryAfter: Duration?
    ) -> GraphFailure? {
        var failure = classify(status, what: what, body: body, retryAfter: retryAfter)
        failure?.status = status
        return failure
    }

    private static func classify(_ status: Int, what: String, body: JSONValue?, retryAfter: Duration?) -> GraphFailure?
    {
        let detail = graphErrorDetail(body).map { ": \($0)" } ?? ""
        switch status {
        case 200..<300:
            return nil
        case 401:
            return GraphFailure(
                .graphAuthFailed, "Graph refused the access token for \(what) (HTTP 401)\(detail)",
                retry: .never)
        case 403:
            return GraphFailure(
                .graphForbidden,
                "Graph denied access to \(what) (HTTP 403)\(detail); grant the app registration the permission it needs",
                retry: .never)
        case 404:
            return GraphFailure(.graphNotFound, "Graph found no \(what) (HTTP 404)\(detail)", retry: .never)
        case 429:
            return GraphFailure(
                .graphThrottled, "Graph throttled \(what) (HTTP 429)\(detail)", retry: .transient,
                retryAfter: retryAfter)
        case 502, 503, 504:
            return GraphFailure(
                .graphUnavailable, "Graph was unavailable for \(what) (HTTP \(status))\(detail)",
                retry: .transient,
                retryAfter: retryAfter)
        case 500...599:
            return GraphFailure(
                .graphUnavailable, "Graph failed on \(what) (HTTP \(status))\(detail)", retry: .limited,
                retryAfter: retryAfter)
        default:
            return GraphFailure(
                .graphBadResponse, "Graph rejected the request for \(what) (HTTP \(status))\(detail)",
                retry: .never)
        }
    }

    /// A body that is not the JSON expected.
    static func badBody(_ what: String, _ problem: String) -> GraphFailure {
        GraphFailure(
            .graphBadResponse, "Graph sent an unusable response for \(what): \(problem)", retry: .limited)
    }

    /// A transport failure (no HTTP response): timeouts and dropped connections are transient.
    static func transport(_ error: any Error, what: String, host: String) -> GraphFailure {
        let reason: String
        if let urlError = error as? URLError {
            switch urlError.code {
            case .timedOut: reason = "the request timed out"
            case .networkConnectionLost: reason = "the connection was dropped"
            case .cannotConnectToHost: reason = "the connection was refused"
            case .cannotFindHost, .dnsLookupFailed: reason = "the host name could not be resolved"
            case .notConnectedToInternet: reason = "there is no network"
            case .unsupportedURL, .badURL:
                return GraphFailure(
                    .graphBadResponse,
                    "could not send \(what) to \(host): the URL is not one that can be requested",
                    retry: .never)
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                return GraphFailure(
                    .graphUnavailable, "could not reach \(host) for \(what): the TLS connection failed",
                    retry: .never)
            default: reason = "network error \(urlError.code.rawValue)"
            }
        } else {
            reason = "network error"
        }
        return GraphFailure(
            .graphUnavailable, "could not reach \(host) for \(what): \(reason)", retry: .transient)
    }

    /// `code: message` from Graph's `{"error": {"code", "message"}}`, shortened.
    static func graphErrorDetail(_ body: JSONValue?) -> String? {
        guard let error = body?["error"] else { return nil }
        let parts = [error["code"]?.stringValue, error["message"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        let text = parts.joined(separator: ": ")
        return PlainText.escaped(text.count > 300 ? String(text.prefix(300)) + "…" : text)
    }
}
