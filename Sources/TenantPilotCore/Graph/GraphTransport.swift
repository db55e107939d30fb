import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What one HTTP exchange may cost: a total deadline (headers and the whole body, not an idle
/// timeout) and a largest body.
struct TransferLimits: Sendable, Hashable {
    var deadline: Duration
    var maxBytes: Int
}

/// What came back from one HTTP exchange.
struct HTTPReply: Sendable {
    let status: Int
    let retryAfter: String?
    /// `Location`, for naming where a redirect pointed (it is never followed).
    let location: String?
    let body: Data
}

/// Why an exchange produced no reply.
enum TransferFailure: Error, Sendable {
    /// The server answered with a redirect; it was not followed.
    case redirected(status: Int, location: URL?)
    /// The body (announced or received) passed `TransferLimits.maxBytes`; reading stopped there.
    case tooLarge(limit: Int)
    /// `TransferLimits.deadline` passed before the exchange ended.
    case deadline(Duration)
    /// The waiting task was cancelled.
    case cancelled
    /// No HTTP response: refused, dropped, timed out while idle, TLS.
    case network(any Error)
}

/// The HTTP layer of `URLSessionGraphClient`: one URLSession whose delegate refuses every
/// redirect (the bearer token and the credential go to the configured origins only), stops
/// reading a body past the size limit (memory stays bounded whatever the server sends), and
/// ends every exchange at its total deadline.
///
/// Waiting is cancellation-safe. FoundationNetworking's `data(for:)` cancels its task from inside
/// the cancellation handler, which can deadlock against a response being delivered at the same
/// moment (a lock-order inversion between the task's status lock and the session's work queue):
/// a run whose types all answered 401 at once then never ended. Here the cancellation handler
/// only hands the work to another queue, and the waiter is resumed by whichever of completion,
/// deadline or cancellation comes first, exactly once.
final class GraphTransport: Sendable {
    private let session: URLSession
    private let delegate: TransferDelegate

    init(configuration: URLSessionConfiguration) {
        let delegate = TransferDelegate()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        self.delegate = delegate
        self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Sends `request` and reads the whole reply within `limits`.
    func exchange(_ request: URLRequest, limits: TransferLimits) async -> Result<HTTPReply, TransferFailure> {
        let transfer = Transfer(maxBytes: limits.maxBytes)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard transfer.begin(continuation) else { return }
                let task = session.dataTask(with: request)
                delegate.register(transfer, for: task)
                transfer.attach(task)
                task.resume()
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.seconds(limits.deadline)) { [weak transfer] in
                    transfer?.finish(.failure(.deadline(limits.deadline)))
                }
            }
        } onCancel: {
            // Never touch URLSession from inside the handler (see the type's comment).
            DispatchQueue.global().async { transfer.finish(.failure(.cancelled)) }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value.isFinite ? min(max(value, 0), 1e9) : 1e9
    }
}

/// One exchange in flight: its waiter, the response and the body read so far. Ends once.
final class Transfer: @unchecked Sendable {
    typealias Outcome = Result<HTTPReply, TransferFailure>

    let maxBytes: Int
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Outcome, Never>?
    private var finished = false
    private var task: URLSessionTask?
    private var response: HTTPURLResponse?
    private var body = Data()

    init(maxBytes: Int) {
        self.maxBytes = max(0, maxBytes)
    }

    /// Stores the waiter; false (and resumed with `.cancelled`) when the exchange already ended.
    func begin(_ continuation: CheckedContinuation<Outcome, Never>) -> Bool {
        let ended = lock.withLock { () -> Bool in
            if finished { return true }
            self.continuation = continuation
            return false
        }
        if ended { continuation.resume(returning: .failure(.cancelled)) }
        return !ended
    }

    /// Remembers the task, so that an early end can cancel it.
    func attach(_ task: URLSessionTask) {
        let ended = lock.withLock { () -> Bool in
            self.task = task
            return finished
        }
        if ended { Self.cancelLater(task) }
    }

    /// The response headers arrived; false when the announced body is already too large.
    func received(_ response: URLResponse) -> Bool {
        // A refusal here is carried out by the caller's `.cancel` disposition, not by `cancel()`.
        guard let http = response as? HTTPURLResponse else {
            finish(.failure(.network(URLError(.badServerResponse))), cancellingTask: false)
            return false
        }
        if http.expectedContentLength > Int64(maxBytes) {
            finish(.failure(.tooLarge(limit: maxBytes)), cancellingTask: false)
            return false
        }
        lock.withLock {
            self.response = http
            if http.expectedContentLength > 0 { body.reserveCapacity(Int(http.expectedContentLength)) }
        }
        return true
    }

    /// A piece of the body; past the limit the exchange ends and nothing more is kept.
    func received(_ data: Data) {
        let overflow = lock.withLock { () -> Bool in
            guard !finished else { return false }
            if body.count + data.count > maxBytes { return true }
            body.append(data)
            return false
        }
        if overflow { finish(.failure(.tooLarge(limit: maxBytes))) }
    }

    /// URLSession ended the task.
    func completed(error: (any Error)?) {
        if let error {
            finish(.failure(.network(error)))
            return
        }
        let reply = lock.withLock { () -> HTTPReply? in
            guard let response else { return nil }
            return HTTPReply(
                status: response.statusCode, retryAfter: response.value(forHTTPHeaderField: "Retry-After"),
                location: response.value(forHTTPHeaderField: "Location"), body: body)
        }
        finish(reply.map { .success($0) } ?? .failure(.network(URLError(.badServerResponse))))
    }

    /// Ends the exchange with `outcome` unless it already ended: resumes the waiter, lets the
    /// body go, and (for a failure, unless `cancellingTask` is false) cancels the task if it is
    /// still running. A callback that ends the task through its completion handler passes false:
    /// a `cancel()` racing that handler makes FoundationNetworking trap ("Received callback for
    /// HTTP redirection, but we're not waiting for it").
    func finish(_ outcome: Outcome, cancellingTask: Bool = true) {
        let (waiter, task) = lock.withLock { () -> (CheckedContinuation<Outcome, Never>?, URLSessionTask?) in
            guard !finished else { return (nil, nil) }
            finished = true
            let waiter = continuation
            continuation = nil
            body = Data()
            return (waiter, self.task)
        }
        waiter?.resume(returning: outcome)
        if cancellingTask, case .failure = outcome, let task { Self.cancelLater(task) }
    }

    /// Cancels a task from a queue of its own: never from a URLSession callback or a
    /// cancellation handler, where it could wait on a lock the caller holds.
    static func cancelLater(_ task: URLSessionTask) {
        DispatchQueue.global().async { task.cancel() }
    }
}

/// The session's delegate: routes each task's events to its `Transfer`.
final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var transfers: [Int: Transfer] = [:]

    func register(_ transfer: Transfer, for task: URLSessionTask) {
        lock.withLock { transfers[task.taskIdentifier] = transfer }
    }

    private func transfer(_ task: URLSessionTask, remove: Bool = false) -> Transfer? {
        lock.withLock { remove ? transfers.removeValue(forKey: task.taskIdentifier) : transfers[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        // Graph and the token endpoint never redirect: following one would send the bearer
        // token (or the client secret) wherever the Location points. Declining first ends the
        // task with the redirect response itself; no `cancel()` may race the handler.
        completionHandler(nil)
        transfer(task)?.finish(
            .failure(.redirected(status: response.statusCode, location: request.url)), cancellingTask: false)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let allowed = transfer(dataTask)?.received(response) ?? false
        completionHandler(allowed ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        transfer(dataTask)?.received(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        transfer(task, remove: true)?.completed(error: error)
    }
}
