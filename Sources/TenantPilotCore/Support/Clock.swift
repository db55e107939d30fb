import Foundation

/// The clock of one invocation. Injected everywhere so that behaviour is testable without
/// sleeping; `--now` gives a clock that starts at that instant and runs on at real speed.
public struct Clock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public func now() -> Date { read() }

    /// The system clock.
    public static let system = Clock { Date() }

    /// A clock that reads `start` now and advances with real time from here on.
    public static func starting(at start: Date) -> Clock {
        let origin = ProcessInfo.processInfo.systemUptime
        return Clock { start.addingTimeInterval(ProcessInfo.processInfo.systemUptime - origin) }
    }

    /// A clock that never moves (tests).
    public static func fixed(_ instant: Date) -> Clock {
        Clock { instant }
    }
}
