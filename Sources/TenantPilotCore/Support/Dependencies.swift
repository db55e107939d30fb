import Foundation
import Logging

/// Everything from outside the process that behaviour depends on, passed in through `init`:
/// the clock, how to sleep, the process environment, and where diagnostics go.
public struct Dependencies: Sendable {
    public var clock: Clock
    /// Suspends for a duration; tests pass one that returns at once and records the request.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// The process environment (secrets are read from here at run time, never stored).
    public var environment: [String: String]
    /// Diagnostics (`--log-level`); disabled unless the command line sets it.
    public var logger: Logger

    public init(
        clock: Clock = .system,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = .disabled
    ) {
        self.clock = clock
        self.sleep = sleep
        self.environment = environment
        self.logger = logger
    }
}
