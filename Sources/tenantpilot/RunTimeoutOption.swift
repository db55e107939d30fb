import ArgumentParser
import TenantPilotCore

/// `--run-timeout`, shared by the commands that execute runs (`dispatch`, `run`, `retry`).
struct RunTimeoutOption: ParsableArguments {
    @Option(
        name: .customLong("run-timeout"),
        help: ArgumentHelp("Stop a run that takes longer, as RUN_TIMEOUT (90s, 10m, 2h).", valueName: "duration"))
    var runTimeout = "2h"

    /// The deadline of each run; bad input names the value.
    func deadline() throws(TenantPilotError) -> RunDeadline {
        let seconds = try DurationText.parse(runTimeout, option: "--run-timeout")
        guard seconds >= 1 else { throw .invalid("--run-timeout \"\(runTimeout)\" must be at least 1s") }
        return RunDeadline(timeout: .seconds(seconds))
    }
}
