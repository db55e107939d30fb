import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `GraphClient`: HTTPS to Microsoft Graph (or the simulator) through URLSession, with
/// an OAuth2 client-credentials token, `@odata.nextLink` paging, JSON `$batch`, a bound on
/// concurrent requests, pacing under Graph's limits (docs/operations.md, "Graph's request limits") and the retry policy of docs/architecture.md.
/// One client serves one tenant.
public final class URLSessionGraphClient: GraphClient {
    public let connection: GraphConnection
    public let options: GraphClientOptions
    let dependencies: Dependencies
    let transport: GraphTransport
    let permits: AsyncSemaphore
    /// The tenant's request budget, shared with every other client of this app and tenant.
    public let pacer: GraphPacer
    /// Told when requests wait for the budget (`observeBudgetWaits`).
    let budgetObserver = Locked<(@Sendable (Duration?) -> Void)?>(nil)
    /// What the listing of each type found, for its capture (`ListingMemo`).
    let listings = Locked([String: ListingMemo]())
    let tokens = AccessTokenCache()
    let counts = Locked(GraphRequestCounts())
    /// Time slept for retries so far, against `RetryPolicy.totalBudget`.
    let slept = Locked(Duration.zero)

    /// `pacer` defaults to the process's pacer of this app and tenant.
    public init(
        connection: GraphConnection, dependencies: Dependencies, options: GraphClientOptions = GraphClientOptions(),
        pacer: GraphPacer? = nil
    ) {
        self.connection = connection
        self.options = options
        self.dependencies = dependencies
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = options.concurrency
        configuration.timeoutIntervalForRequest = Self.seconds(options.requestTimeout)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        self.transport = GraphTransport(configuration: configuration)
        self.permits = AsyncSemaphore(permits: options.concurrency)
        self.pacer =
            pacer
            ?? GraphPacer.shared(
                for: GraphPacer.Key(
                    graphURL: connection.graphURL, tenant: connection.tenantGUID, clientID: connection.clientID),
                limits: options.limits)
    }

    /// HTTP requests sent so far, by kind.
    public var requestCounts: GraphRequestCounts { counts.current }

    /// HTTP requests sent so far (token, batch and plain requests, retries included).
    public var requestCount: Int { counts.current.total }

    // MARK: - Requests

    enum RequestKind {
        case token, batch, get, write
    }

    /// Sends one request, holding one of the client's permits while it is in flight. A redirect,
    /// a body over the size limit and a passed deadline end it here, as failures.
    func send(_ request: URLRequest, kind: RequestKind, what: String) async -> Result<HTTPReply, GraphFailure> {
        let host = request.url?.host ?? "Graph"
        guard await permits.acquire() else { return .failure(.cancelled(what)) }
        counts.withLock { counts in
            counts.total += 1
            switch kind {
            case .token: counts.token += 1
            case .batch: counts.batch += 1
            case .get: counts.get += 1
            case .write: counts.write += 1
            }
        }
        let limits = TransferLimits(deadline: options.requestDeadline, maxBytes: options.maxResponseBytes)
        let outcome = await transport.exchange(request, limits: limits)
        await permits.release()
        switch outcome {
        case .success(let reply) where (300..<400).contains(reply.status):
            return .failure(
                .redirect(
                    reply.status, to: reply.location.flatMap { URL(string: $0, relativeTo: request.url) }, what: what,
                    host: host))
        case .success(let reply):
            return .success(reply)
        case .failure(let failure):
            return .failure(GraphFailure(failure, what: what, host: host))
        }
    }

    /// Runs `attempt` until it succeeds or the retry policy says stop, sleeping in between
    /// through the injected sleep.
    func withRetries<T: Sendable>(_ attempt: () async -> Result<T, GraphFailure>) async -> Result<T, TenantPilotError> {
        var attempts = 0
        while true {
            attempts += 1
            let failure: GraphFailure
            switch await attempt() {
            case .success(let value): return .success(value)
            case .failure(let error): failure = error
            }
            guard options.retry.allowsRetry(after: attempts, of: failure) else {
                return .failure(failure.final(attempts: attempts))
            }
            let wait = options.retry.delay(after: attempts, retryAfter: failure.retryAfter)
            guard await pause(wait) else { return .failure(failure.final(attempts: attempts)) }
        }
    }

    /// Sleeps before a retry if the client's total budget allows it; false when it does not.
    func pause(_ wait: Duration) async -> Bool {
        let allowed = slept.withLock { slept in
            guard slept + wait <= options.retry.totalBudget else { return false }
            slept += wait
            return true
        }
        guard allowed else { return false }
        counts.withLock { $0.retries += 1 }
        do {
            try await dependencies.sleep(wait)
            return true
        } catch {
            return false
        }
    }

    func retryAfter(_ header: String?) -> Duration? {
        header.flatMap { RetryAfter.parse($0, now: dependencies.clock.now()) }
    }

    // MARK: - Token

    /// A valid access token, from the cache or the token endpoint.
    func accessToken() async -> Result<String, TenantPilotError> {
        await tokens.token(now: dependencies.clock.now()) { [self] in await requestToken() }
    }

    /// OAuth2 client credentials: POST `{authority}/{tenant}/oauth2/v2.0/token`.
    private func requestToken() async -> Result<AccessToken, TenantPilotError> {
        let url = connection.authorityURL.appendingPathComponent(connection.tenantGUID)
            .appendingPathComponent("oauth2/v2.0/token")
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let scope = Self.trimmingSlashes(connection.graphURL.absoluteString) + "/.default"
        let what = "a token for tenant \(connection.tenantGUID)"
        let host = url.host ?? "the authority"
        return await withRetries { () async -> Result<AccessToken, GraphFailure> in
            // The credential is read for every attempt: a client assertion is signed afresh.
            switch credentialFields(tokenURL: url) {
            case .failure(let error): return .failure(GraphFailure(final: error))
            case .success(let fields):
                request.httpBody = Self.formEncoded(
                    [("grant_type", "client_credentials"), ("client_id", connection.clientID)] + fields + [
                        ("scope", scope)
                    ])
            }
            let issued = dependencies.clock.now()
            switch await send(request, kind: .token, what: what) {
            case .failure(let failure): return .failure(failure)
            case .success(let reply): return tokenResult(reply, issued: issued, what: what, host: host)
            }
        }
    }

    private func tokenResult(_ reply: HTTPReply, issued: Date, what: String, host: String) -> Result<
        AccessToken, GraphFailure
    > {
        let body = try? JSONValue.parse(reply.body)
        if reply.status == 400 || reply.status == 401 {
            var message = "\(host) refused the client credentials of app \(connection.clientID) (HTTP \(reply.status))"
            if let code = body?["error"]?.stringValue { message += ": \(PlainText.escaped(String(code.prefix(100))))" }
            if let description = body?["error_description"]?.stringValue,
                let line = description.split(whereSeparator: \.isNewline).first
            {
                message += " — \(PlainText.escaped(String(line.prefix(300))))"
            }
            return .failure(GraphFailure(.graphAuthFailed, message, retry: .never))
        }
        if let failure = GraphFailure.forStatus(
            reply.status, what: what, body: body, retryAfter: retryAfter(reply.retryAfter))
        {
            if failure.error.code == .graphForbidden || failure.error.code == .graphNotFound {
                return .failure(GraphFailure(.graphAuthFailed, failure.error.message, retry: .never))
            }
            return .failure(failure)
        }
        guard let body, let token = body["access_token"]?.stringValue, !token.isEmpty else {
            return .failure(.badBody(what, "no access_token in the token response"))
        }
        let lifetime = Self.tokenLifetime(body["expires_in"])
        // Renew a margin before expiry, but never later than half the lifetime (short tokens).
        let margin = min(Self.seconds(options.tokenRenewalMargin), lifetime / 2)
        return .success(AccessToken(value: token, renewAt: issued.addingTimeInterval(max(lifetime - margin, 0))))
    }

    /// `expires_in` in seconds, whatever the server wrote: a number or a numeric string, kept
    /// within a day (a token is never cached longer, and no value can overflow a date); anything
    /// else is zero, so the token serves this request and is asked for again next time.
    static func tokenLifetime(_ value: JSONValue?) -> Double {
        let seconds: Double
        switch value {
        case .int(let number)?: seconds = Double(number)
        case .double(let number)?: seconds = number
        case .string(let text)?: seconds = Double(text.trimmingCharacters(in: .whitespaces)) ?? 0
        default: seconds = 0
        }
        guard seconds.isFinite else { return 0 }
        return min(max(seconds, 0), 86_400)
    }

    // MARK: - Helpers

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func trimmingSlashes(_ text: String) -> String {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    static func formEncoded(_ fields: [(String, String)]) -> Data {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let text = fields.map { name, value -> String in
            let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            return "\(name)=\(encoded)"
        }.joined(separator: "&")
        return Data(text.utf8)
    }
}
