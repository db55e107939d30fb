import ArgumentParser

/// A subcommand of `tenantpilot`: it maps its flags to a service call in `run(in:)`; opening the
/// context and rendering errors (once, with the exit code of docs/cli.md) is done here for all.
protocol TenantPilotCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }

    /// The command's work. Throws `TenantPilotError` for failures and `ExitCode` for a
    /// non-zero exit after its output.
    func run(in context: CommandContext) async throws
}

extension TenantPilotCommand {
    mutating func run() async throws {
        let command = self
        try await global.run { context in try await command.run(in: context) }
    }
}
