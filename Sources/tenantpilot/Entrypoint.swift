import ArgumentParser
import Foundation
import TenantPilotCore

#if canImport(Glibc)
    import Glibc
#endif

/// The doorway: parses, runs, and renders
/// usage errors with exit code 2 as docs/cli.md asks (ArgumentParser's own default is 64).
/// Output goes through `CommandOutput`, which writes whole lines unbuffered, so cron and
/// scripts reading a pipe see each line as it is written.
@main
enum Entrypoint {
    static func main() async {
        // A reader that went away (`| head`) is a failed write, reported by exit status 1, not
        // a signal that kills the process half-way through its bookkeeping.
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            CommandOutput.printLine(ToolVersion.text())
            exit(CommandOutput.exitStatus(0))
        }
        let status: Int32
        do {
            var command = try await TenantPilot.asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = 0
        } catch let code as ExitCode {
            status = code.rawValue
        } catch {
            if TenantPilot.exitCode(for: error) == .validationFailure {
                var message = HelpWrapping.wrapUsage(
                    TenantPilot.fullMessage(for: error), width: TextTable.terminalWidth)
                if let hint = SubcommandSuggestion.hint(for: arguments, message: message) { message += "\n" + hint }
                CommandOutput.writeError(message + "\n")
                if CommandLine.arguments.contains("--json") {
                    CommandOutput.printJSONError(code: .invalidInput, message: TenantPilot.message(for: error))
                }
                exit(ExitStatus.usage)
            }
            if TenantPilot.exitCode(for: error) == .success {
                // Help and the like: printed here so that its usage line is wrapped too.
                let width = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? TextTable.terminalWidth
                CommandOutput.printLine(
                    HelpWrapping.wrapUsage(TenantPilot.fullMessage(for: error), width: max(40, width)))
                exit(CommandOutput.exitStatus(0))
            }
            TenantPilot.exit(withError: error)
        }
        exit(CommandOutput.exitStatus(status))
    }
}
