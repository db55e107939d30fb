import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `status`: is every tenant backed up, and since when? A monitoring check as it stands.
    struct Status: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Is every tenant backed up, and since when? Exit 0 when all is well, else 1.",
            discussion: """
                One row per enabled schedule and per tenant without one. States: ok, partial,
                failing (last run failed or skipped), overdue (dispatch is not running), never
                (no usable backup yet), pending (no slot yet), unscheduled. Exit 0 when every row
                is ok, pending or unscheduled, 1 otherwise: Nagios, Icinga or Zabbix can run it
                as a check. The first line sums it up.

                Examples:
                  tenantpilot status
                  tenantpilot status --tenant contoso --json
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this tenant's rows.", completion: Completions.tenants) var tenant: String?
        @Option(
            help: ArgumentHelp(
                "How late a slot may be before it counts as overdue (dispatch's --grace).", valueName: "duration"))
        var grace = DurationArgument.fiveMinutes

        func run(in context: CommandContext) async throws {
            let store = try await context.openStore()
            let report = try await StatusReport.read(
                from: store, at: context.now, grace: grace.seconds, tenantName: tenant)
            context.emit(StatusDocument(report)) { StatusText.render(report) }
            try context.exit(with: report.ok ? ExitStatus.success : ExitStatus.failure)
        }
    }
}

/// The plain rendering of `status`: a summary line (what a Nagios check shows), then the table.
enum StatusText {
    static func render(_ report: StatusReport) -> String {
        let rows = report.rows
        if rows.isEmpty { return "OK: no tenants yet; add one with `tenantpilot tenants add`" }
        var lines = [summary(report)]
        lines.append(
            TextTable(
                header: ["TENANT/NAME", "STATE", "LAST BACKUP", "LAST RUN", "NEXT RUN (UTC)"],
                rows: rows.map { row in
                    [
                        row.name, row.state.rawValue, lastBackup(row), lastRun(row),
                        row.nextRunAt.map { ISO8601.minuteString($0.date) } ?? "-",
                    ]
                }
            ).render())
        return lines.joined(separator: "\n")
    }

    /// `OK: 12 schedules backed up` or `PROBLEM: 2 of 14 not backed up (1 failing, 1 overdue)`.
    static func summary(_ report: StatusReport) -> String {
        let rows = report.rows
        let unhealthy = rows.filter { !$0.state.isHealthy }
        let scheduled = rows.filter { $0.schedule != nil }.count
        if unhealthy.isEmpty {
            return "OK: \(scheduled) schedule\(scheduled == 1 ? "" : "s") backed up or pending"
        }
        let counts = BackupState.allCases.compactMap { state -> String? in
            let count = unhealthy.filter { $0.state == state }.count
            return count == 0 ? nil : "\(count) \(state.rawValue)"
        }
        return "PROBLEM: \(unhealthy.count) of \(rows.count) not backed up (\(counts.joined(separator: ", ")))"
    }

    static func lastBackup(_ row: StatusRow) -> String {
        guard let set = row.lastBackupSetId, let age = row.lastBackupAgeSeconds else { return "-" }
        return "set \(set), \(StatusReport.age(TimeInterval(age))) ago"
    }

    static func lastRun(_ row: StatusRow) -> String {
        guard let status = row.lastRunStatus else { return "-" }
        return status.rawValue + (row.lastRunErrorCode.map { " \($0.rawValue)" } ?? "")
    }
}
