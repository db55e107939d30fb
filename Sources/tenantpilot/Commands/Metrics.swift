import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `metrics`: the facts of `status` for Prometheus.
    struct Metrics: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "Print the Prometheus text exposition of every schedule's state.",
            discussion: """
                The format is Prometheus text 0.0.4, one sample per enabled schedule with labels
                tenant and schedule. --textfile writes it atomically (a temporary file in the same
                folder, then renamed, mode 0644) for node_exporter's textfile collector.

                Examples:
                  tenantpilot metrics
                  tenantpilot metrics --textfile /var/lib/node_exporter/tenantpilot.prom
                """)

        @OptionGroup var global: GlobalOptions
        @Option(
            help: ArgumentHelp("Write the exposition to this file instead of stdout.", valueName: "path"))
        var textfile: String?
        @Option(
            help: ArgumentHelp("How late a slot may be before it counts as overdue.", valueName: "duration"))
        var grace = DurationArgument.fiveMinutes

        func validate() throws {
            if textfile?.isEmpty == true { throw ValidationError("--textfile \"\" names no file") }
            if textfile != nil && global.json {
                throw ValidationError("--textfile and --json cannot be given together")
            }
        }

        func run(in context: CommandContext) async throws {
            let store = try await context.openStore()
            let exposition = try await MetricsExposition.read(from: store, at: context.now, grace: grace.seconds)
            if let textfile {
                try MetricsTextfile.write(exposition, to: textfile)
            } else if context.json {
                CommandOutput.printJSON(["metrics": exposition.text])
            } else {
                CommandOutput.write(Data(exposition.text.utf8), to: STDOUT_FILENO)
            }
        }
    }
}
