import ArgumentParser

/// `--quiet` of the commands that run things (`dispatch`, `run`, `retry`): nothing on stdout at
/// all; the lines of runs that did not succeed still go to stderr.
struct QuietOption: ParsableArguments {
    @Flag(help: "Print nothing on stdout; runs that did not succeed are still named on stderr.")
    var quiet = false
}
