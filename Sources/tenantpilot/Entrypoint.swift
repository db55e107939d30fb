import ArgumentParser
import Foundation
import TenantPilotCore

/// The doorway: parses, runs, and renders
/// usage errors with exit code 2 as SPEC §3 asks (ArgumentParser's own default is 64).
/// Output goes through `CommandOutput`, which writes whole lines unbuffered, so cron and
/// scripts reading a pipe see each line as it is written.
@main
enum Entrypoint {
    static func main() async {
        do {
            var command = try TenantPilot.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if TenantPilot.exitCode(for: error) == .validationFailure {
                let message = TenantPilot.fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                if CommandLine.arguments.contains("--json") {
                    CommandOutput.printJSONError(code: .invalidInput, message: TenantPilot.message(for: error))
                }
                exit(ExitStatus.usage)
            }
            TenantPilot.exit(withError: error)
        }
    }
}
