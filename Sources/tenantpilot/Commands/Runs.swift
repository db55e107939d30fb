import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `runs …`: run history.
    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runs",
            abstract: "Show run history.",
            subcommands: [List.self, Show.self]
        )
    }
}

extension TenantPilot.Runs {
    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List runs, newest first.",
            discussion:
                "Examples:\n  tenantpilot runs list --schedule contoso/nightly --limit 10\n"
                + "  tenantpilot runs list --tenant contoso --since 2026-03-01T00:00:00Z --json"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only runs of this schedule (id or TENANT/NAME).", completion: Completions.schedules)
        var schedule: ScheduleReference?
        @Option(help: "Only runs of this tenant (restores included).", completion: Completions.tenants)
        var tenant: String?
        @Option(help: "Only runs with this status.") var status: BackupRun.Status?
        @Option(help: ArgumentHelp("Only runs of slots at or after this instant (ISO-8601).", valueName: "instant"))
        var since: InstantArgument?
        @Option(parsing: .unconditional, help: "At most this many runs.") var limit = 50

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit \(limit) must be at least 1") }
        }

        func run(in context: CommandContext) async throws {
            let store = try await context.openStore()
            var scheduleId: Int64?
            if let schedule { scheduleId = try await ScheduleService(store: store).find(schedule).schedule.rowID }
            var tenantId: Int64?
            if let tenant { tenantId = try await TenantService(store: store).find(named: tenant).rowID }
            let runs = try await RunHistory(store: store).list(
                scheduleId: scheduleId, tenantId: tenantId, status: status, since: since?.date, limit: limit)
            context.emit(["runs": runs]) {
                if runs.isEmpty { return "no runs" }
                return TextTable(
                    header: ["ID", "SCHEDULE", "SLOT (UTC)", "TRIGGER", "STATUS", "ERROR", "POLICIES", "SET"],
                    rows: runs.map {
                        [
                            String($0.id), RunText.name($0), $0.scheduledFor.text, $0.trigger.rawValue,
                            $0.status.rawValue, $0.errorCode?.rawValue ?? "-", String($0.counts.policies),
                            $0.backupSetId.map(String.init) ?? "-",
                        ]
                    }
                ).render()
            }
        }
    }

    struct Show: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one run.",
            discussion: "Example:\n  tenantpilot runs show 42 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var runId: Int64

        func run(in context: CommandContext) async throws {
            let run = try await RunHistory(store: try await context.openStore()).find(runId)
            context.emit(run) { RunText.detail(run) }
        }
    }
}
