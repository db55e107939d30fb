import Foundation

/// Whichever of several waits ends first resumes the one waiter; later results are ignored.
final class FirstResult<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?
    private var result: Value?
    private var done = false

    /// Stores the waiter, or resumes it at once when a result already came.
    func start(_ continuation: CheckedContinuation<Value, Never>) {
        let early = lock.withLock { () -> Value? in
            if done { return result }
            self.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Offers a result; only the first one counts.
    func finish(_ value: Value) {
        let waiter = lock.withLock { () -> CheckedContinuation<Value, Never>? in
            guard !done else { return nil }
            done = true
            result = value
            let waiter = continuation
            continuation = nil
            return waiter
        }
        waiter?.resume(returning: value)
    }

    /// The value of `task`, or nil as soon as the calling task is cancelled (`task` itself runs
    /// on: it may be shared with other waiters).
    static func value<T: Sendable>(of task: Task<T, Never>) async -> T? {
        let race = FirstResult<T?>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                race.start(continuation)
                Task { race.finish(await task.value) }
            }
        } onCancel: {
            // Resumed from another queue, never from inside the cancellation handler.
            DispatchQueue.global().async { race.finish(nil) }
        }
    }
}
