import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `doctor`: is this machine ready to run backups?
    struct Doctor: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the store, locks, registry and each tenant's secret; exit 1 if anything would break runs.",
            discussion: """
                Run it as the user, and with the environment, that cron or systemd uses: secrets read from environment variables must be set there. One line per check (ok, FAIL, WARN, skip); no secret's value is ever printed. --online also asks each tenant's authority for a token and reads one page from its Graph.

                Examples:
                  tenantpilot doctor
                  tenantpilot doctor --online --json | jq '.checks[] | select(.status != "ok")'
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Also request a token and read from Microsoft Graph for each tenant.")
        var online = false

        func run(in context: CommandContext) async throws {
            let doctor = TenantPilotCore.Doctor(
                location: context.location, database: context.database, dependencies: context.dependencies,
                graph: context.graphProbe())
            let report = await doctor.run(online: online)
            context.emit(report) { report.text }
            try context.exit(with: report.ok ? ExitStatus.success : ExitStatus.failure)
        }
    }
}

extension CommandContext {
    /// The Graph behind `doctor --online`: the real client, with the run's clock and environment.
    func graphProbe() -> (any GraphProbing)? {
        GraphProbe(dependencies: dependencies)
    }
}
