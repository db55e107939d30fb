import ArgumentParser
import TenantPilotCore

/// `--run-timeout`, shared by the commands that execute runs (`dispatch`, `run`, `retry`).
struct RunTimeoutOption: ParsableArguments {
    @Option(
        name: .customLong("run-timeout"),
        help: ArgumentHelp("Stop a run that takes longer, as RUN_TIMEOUT (90s, 10m, 2h).", valueName: "duration"))
    var runTimeout = DurationArgument.twoHours

    func validate() throws {
        guard runTimeout.seconds >= 1 else {
            throw ValidationError("--run-timeout \"\(runTimeout.text)\" must be at least 1s")
        }
    }

    /// The deadline of each run.
    var deadline: RunDeadline { RunDeadline(timeout: .seconds(runTimeout.seconds)) }
}

extension DurationArgument {
    /// `--run-timeout`'s default.
    static let twoHours = DurationArgument(seconds: 7200, text: "2h")
}
