import ArgumentParser
import Foundation
import Logging
import TenantPilotCore

/// How command-line values parse into the core's types (ArgumentParser names the bad value and
/// exits 2 when one does not).
extension ScheduleReference: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(parsing: argument)
    }
}

extension BackupRun.Status: ExpressibleByArgument {}

/// `--keep-daily 7`, or `none` to remove the rule.
extension RetentionRuleChange: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }
}

/// A duration as the command line writes it: `90s`, `10m`, `1h` (docs/cli.md).
struct DurationArgument: ExpressibleByArgument, Sendable {
    let seconds: TimeInterval
    let text: String

    init(seconds: TimeInterval, text: String) {
        self.seconds = seconds
        self.text = text
    }

    init?(argument: String) {
        guard let seconds = try? DurationText.parse(argument, option: "") else { return nil }
        self.init(seconds: seconds, text: argument)
    }

    var defaultValueDescription: String { text }
}

/// An instant as the command line writes it (ISO-8601, `2026-03-29T00:00:00Z`).
struct InstantArgument: ExpressibleByArgument, Sendable {
    let date: Date

    init?(argument: String) {
        guard let date = ISO8601.parse(argument) else { return nil }
        self.date = date
    }
}

/// `--log-level`: trace, debug, info, notice, warning, error or critical.
struct LogLevelArgument: ExpressibleByArgument, Sendable {
    let level: Logger.Level

    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.level = level
    }

    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }

    var defaultValueDescription: String { level.rawValue }
}
