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
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List runs, newest first.",
            discussion: "Examples:\n  tenantpilot runs list --schedule contoso/nightly --limit 10\n  tenantpilot runs list --status failed --json")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only runs of this schedule (id or TENANT/NAME).") var schedule: String?
        @Option(help: "Only runs with this status (pending, running, success, partial, failed, skipped).") var status: String?
        @Option(help: "At most this many runs.") var limit = 50

        mutating func run() async throws {
            try await global.run { context in
                var statusFilter: BackupRun.Status?
                if let status {
                    guard let parsed = BackupRun.Status(rawValue: status) else {
                        throw TenantPilotError.invalid(
                            "--status \"\(status)\" is not a run status (\(BackupRun.Status.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    statusFilter = parsed
                }
                guard limit >= 1 else { throw TenantPilotError.invalid("--limit \(limit) must be at least 1") }
                let reference = try schedule.map { (text: String) throws(TenantPilotError) in try ScheduleReference(parsing: text) }
                let store = try context.openStore()
                let scheduleId = try reference.map { (ref: ScheduleReference) throws(TenantPilotError) in
                    try ScheduleService(store: store).find(ref).schedule.rowID
                }
                let runs = try RunStore(store: store).list(scheduleId: scheduleId, status: statusFilter, limit: limit)
                context.emit(["runs": runs]) {
                    if runs.isEmpty { return "no runs" }
                    return TextTable(
                        header: ["ID", "SCHEDULE", "SLOT (UTC)", "TRIGGER", "STATUS", "ERROR", "POLICIES", "SET"],
                        rows: runs.map {
                            [
                                String($0.id), RunText.name($0), $0.scheduled_for, $0.trigger, $0.status,
                                $0.error_code ?? "-", String($0.counts.policies), $0.backup_set_id.map(String.init) ?? "-",
                            ]
                        }
                    ).render()
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one run.",
            discussion: "Example:\n  tenantpilot runs show 42 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var runId: Int64

        mutating func run() async throws {
            try await global.run { context in
                let run = try RunStore(store: try context.openStore()).find(runId)
                context.emit(run) { RunText.detail(run) }
            }
        }
    }
}
