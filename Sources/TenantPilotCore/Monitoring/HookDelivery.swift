import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Delivers one message to one hook: up to 3 attempts, each within the hook's timeout (10 s
/// unless it says otherwise), with a growing pause between them. HTTP goes through the Graph
/// client's hardened transport: no redirect is followed, the reply is read up to 64 KB, and the
/// deadline covers the whole exchange. It only reports: a hook never changes a run.
public struct HookDelivery: Sendable {
    static let attempts = 3
    static let replyLimit = 64 * 1024

    let transport: GraphTransport
    let environment: [String: String]
    /// Waits between attempts (injected: tests pass one that returns at once).
    let sleep: @Sendable (Duration) async throws -> Void

    /// How one delivery went.
    public struct Outcome: Sendable {
        /// Nil when it was delivered.
        public let error: String?
        public let attempts: Int
        /// What the last attempt got (`HTTP 200`, `exit 0`).
        public let detail: String
    }

    /// Why one attempt failed, and whether another attempt could do better.
    private struct AttemptFailure: Error {
        let message: String
        let retry: Bool
    }

    func deliver(_ message: HookMessage, to hook: Hook) async -> Outcome {
        let timeout = Duration.seconds(hook.timeoutSeconds)
        var failure = AttemptFailure(message: "not attempted", retry: false)
        for attempt in 1...Self.attempts {
            if attempt > 1 {
                // 1 s, then 2 s — never longer than the hook's own timeout.
                let pause = min(Duration.seconds(attempt - 1), timeout)
                do { try await sleep(pause) } catch { break }
            }
            if Task.isCancelled {
                failure = AttemptFailure(message: "given up: tenantpilot was exiting", retry: false)
                break
            }
            switch await attemptOnce(message, hook: hook, timeout: timeout) {
            case .success(let detail):
                return Outcome(error: nil, attempts: attempt, detail: detail)
            case .failure(let attemptFailure):
                failure = attemptFailure
                if !attemptFailure.retry {
                    return Outcome(error: failure.message, attempts: attempt, detail: failure.message)
                }
            }
        }
        return Outcome(
            error: failure.message + " (after \(Self.attempts) attempts)", attempts: Self.attempts,
            detail: failure.message)
    }

    private func attemptOnce(_ message: HookMessage, hook: Hook, timeout: Duration) async -> Result<
        String, AttemptFailure
    > {
        switch hook.kind {
        case .command:
            return await runCommand(message, hook: hook, timeout: timeout)
        case .webhook, .ping:
            let url: URL
            do {
                url = try resolveURL(hook)
            } catch {
                return .failure(AttemptFailure(message: error.message, retry: false))
            }
            var request: URLRequest
            if hook.kind == .webhook {
                request = URLRequest(url: url)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = message.webhookBody()
            } else {
                request = URLRequest(url: HookURL.ping(url, suffix: message.pingSuffix))
                request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
                request.httpBody = message.pingBody
            }
            request.httpMethod = "POST"
            request.setValue("tenantpilot", forHTTPHeaderField: "User-Agent")
            // The transport's deadline ends the attempt; URLSession's idle timeout only backs it up.
            request.timeoutInterval = GraphTransport.seconds(timeout) + 5
            return await send(request, timeout: timeout)
        }
    }

    /// The URL stored with the hook, or read from its variable now.
    func resolveURL(_ hook: Hook) throws(TenantPilotError) -> URL {
        if let variable = hook.targetEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw .failed("$\(variable) is not set in this environment", code: .hookFailed)
            }
            return try HookURL.validated(value, option: "$\(variable)")
        }
        return try HookURL.validated(hook.target ?? "", option: "the hook's URL")
    }

    private func send(_ request: URLRequest, timeout: Duration) async -> Result<String, AttemptFailure> {
        switch await transport.exchange(request, limits: TransferLimits(deadline: timeout, maxBytes: Self.replyLimit))
        {
        case .success(let reply) where (200..<300).contains(reply.status):
            return .success("HTTP \(reply.status)")
        case .success(let reply):
            // A server error, a timeout or throttling may pass; any other 4xx will not.
            let retry = reply.status >= 500 || reply.status == 408 || reply.status == 429
            return .failure(AttemptFailure(message: "answered HTTP \(reply.status)", retry: retry))
        case .failure(.redirected(let status, _)):
            return .failure(
                AttemptFailure(message: "answered HTTP \(status), a redirect (never followed)", retry: false))
        case .failure(.tooLarge(let limit)):
            return .failure(AttemptFailure(message: "answered with more than \(limit / 1024) KB", retry: false))
        case .failure(.deadline):
            return .failure(
                AttemptFailure(message: "no answer within \(Self.describe(timeout))", retry: true))
        case .failure(.cancelled):
            return .failure(AttemptFailure(message: "given up: tenantpilot was exiting", retry: false))
        case .failure(.network(let error as URLError)) where error.code == .timedOut:
            return .failure(AttemptFailure(message: "no answer within \(Self.describe(timeout))", retry: true))
        case .failure(.network(let error)):
            let text = (error as? URLError).map { "\($0.code)" } ?? "\(error)"
            return .failure(AttemptFailure(message: "could not connect (\(PlainText.escaped(text)))", retry: true))
        }
    }

    private func runCommand(_ message: HookMessage, hook: Hook, timeout: Duration) async -> Result<
        String, AttemptFailure
    > {
        let variables = environment.merging(message.commandVariables()) { $1 }
        switch await HookCommand.run(
            hook.target ?? "", input: message.commandInput(), environment: variables, timeout: timeout)
        {
        case .exited(0, _):
            return .success("exit 0")
        case .exited(let code, let stderr):
            return .failure(
                AttemptFailure(message: "exited \(code)" + (stderr.isEmpty ? "" : ": \(stderr)"), retry: true))
        case .killed(let signal, let stderr):
            return .failure(
                AttemptFailure(
                    message: "was killed by signal \(signal)" + (stderr.isEmpty ? "" : ": \(stderr)"), retry: true))
        case .timedOut:
            return .failure(
                AttemptFailure(message: "did not end within \(Self.describe(timeout)) and was killed", retry: true))
        case .couldNotStart(let reason):
            return .failure(AttemptFailure(message: reason, retry: false))
        }
    }

    static func describe(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}
