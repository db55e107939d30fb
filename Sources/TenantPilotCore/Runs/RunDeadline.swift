import Foundation

/// The deadline of one run (`--run-timeout`, docs/architecture.md): the Graph part of a run is cancelled when
/// it passes, so that no server, however slow, holds a run — and its schedule's lock — for ever.
public struct RunDeadline: Sendable, Hashable {
    /// The run error code of a run stopped at its deadline.
    public static let errorCode = ErrorCode.runTimeout

    /// Two hours unless told otherwise.
    public static let standard = RunDeadline(timeout: .seconds(7200))

    /// How long the run may take.
    public var timeout: Duration
    /// After the deadline, how long the cancelled work may take to wind up (record what it
    /// captured, drop its set); past it the run ends without waiting for it.
    public var windUp: Duration

    public init(timeout: Duration, windUp: Duration = .seconds(30)) {
        self.timeout = max(timeout, .milliseconds(1))
        self.windUp = max(windUp, .zero)
    }

    /// What running the work under the deadline gave.
    public enum Outcome<Value: Sendable>: Sendable {
        /// The work ended in time.
        case finished(Value)
        /// The deadline passed; the work was cancelled and ended with this value while winding up.
        case timedOut(Value)
        /// The deadline passed and the work did not wind up in time either.
        case abandoned
    }

    /// Runs `work` under the deadline. The work runs in a task of its own, so that a task that
    /// ignores cancellation can delay this call by `windUp` at most.
    public func run<Value: Sendable>(_ work: @escaping @Sendable () async -> Value) async -> Outcome<Value> {
        let task = Task { await work() }
        if let value = await Self.value(of: task, within: timeout) { return .finished(value) }
        task.cancel()
        if let value = await Self.value(of: task, within: windUp) { return .timedOut(value) }
        return .abandoned
    }

    /// The task's value, or nil when `limit` passes first (the task keeps running).
    static func value<Value: Sendable>(of task: Task<Value, Never>, within limit: Duration) async -> Value? {
        let race = FirstResult<Value?>()
        return await withCheckedContinuation { continuation in
            race.start(continuation)
            // The timer runs on a dispatch queue, not in the cooperative pool, so that work
            // blocking the pool's threads (a database write waiting for its lock) cannot hold
            // the deadline back.
            DispatchQueue.global().asyncAfter(deadline: .now() + GraphTransport.seconds(limit)) { race.finish(nil) }
            Task { race.finish(await task.value) }
        }
    }

    /// `--run-timeout` as text (`2h`, `90s`), for messages.
    public var description: String {
        let seconds = timeout.components.seconds
        if seconds >= 3600, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds >= 60, seconds % 60 == 0 { return "\(seconds / 60)m" }
        if seconds >= 1 { return "\(seconds)s" }
        return "\(timeout.components.attoseconds / 1_000_000_000_000_000)ms"
    }
}
