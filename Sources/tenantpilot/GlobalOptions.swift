import ArgumentParser
import Foundation
import Logging
import TenantPilotCore

/// `--db`, `--json`, `--actor`, `--now` and the diagnostics: shared by every subcommand through
/// `@OptionGroup`.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite file or postgresql://USER@HOST[:PORT]/DB (else $TENANTPILOT_DB, else $TENANTPILOT_HOME/tenantpilot.sqlite).",
            valueName: "path|url"))
    var db: String?

    @Option(
        name: .customLong("db-password-file"),
        help: ArgumentHelp(
            "File holding the PostgreSQL password (else $PGPASSWORD, else ~/.pgpass).", valueName: "path"))
    var dbPasswordFile: String?

    @Flag(name: .long, help: "Print one JSON document on stdout and nothing else.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp("Who acts, for audit and notifications (else $SUDO_USER, else $USER).", valueName: "name"))
    var actor: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The clock for this invocation, ISO-8601 (else $TENANTPILOT_NOW).", valueName: "instant"))
    var now: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("Diagnostics on stderr from this level up (default warning).", valueName: "level"))
    var logLevel: LogLevelArgument?

    @Flag(name: .long, help: "Diagnostics on stderr from level debug up (as --log-level debug).")
    var verbose = false

    /// The level of the diagnostic stream: `--log-level`, else debug with `--verbose`, else warning.
    var diagnosticLevel: Logger.Level { logLevel?.level ?? (verbose ? .debug : .warning) }

    /// Runs a command body with its context, rendering any error once, as docs/cli.md asks:
    /// a message on stderr, with `--json` also `{"error": {...}}` on stdout, and the exit code.
    func run(_ body: (CommandContext) async throws -> Void) async throws {
        do {
            let context = try CommandContext(options: self)
            do {
                try await body(context)
            } catch {
                await context.finishHooks()
                await context.closeStores()
                throw error
            }
            // Hook deliveries still going end (or give up) before the store they audit closes.
            await context.finishHooks()
            await context.closeStores()
        } catch let error as TenantPilotError {
            render(error)
            throw ExitCode(error.exitCode)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let wrapped = TenantPilotError.failed("unexpected error: \(error.localizedDescription)")
            render(wrapped)
            throw ExitCode(wrapped.exitCode)
        }
    }

    private func render(_ error: TenantPilotError) {
        CommandOutput.printError(error.message)
        if json {
            CommandOutput.printJSONError(code: error.code, message: error.message)
        }
    }
}
