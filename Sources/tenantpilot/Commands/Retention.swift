import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `retention …`: keeping the backup sets each schedule's rules keep and deleting the rest.
    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retention",
            abstract: "Apply backup retention.",
            subcommands: [Apply.self]
        )
    }
}

extension TenantPilot.Retention {
    struct Apply: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Delete the backup sets that no retention rule of their schedule keeps.",
            discussion: """
                A schedule keeps the sets any of its rules keeps: its newest keep-last sets, and the \
                newest set of each of the last keep-daily days, keep-weekly ISO weeks, keep-monthly \
                months and keep-yearly years that have a set (in the schedule's time zone); with no \
                rule at all, its newest 30. Pinned sets and the newest complete set are always kept. \
                Other sets that the schedule created are deleted with their items, then payloads no \
                set uses any more. Sets of other schedules, sets made by hand (backups create), sets \
                still being written and the sets of removed schedules are never deleted. Without \
                --schedule, every schedule that is not removed is applied.

                --dry-run changes nothing at all: no set is deleted and no audit entry is written; \
                it prints what a real run would do now. A real run writes one \
                backup_schedule.retention_applied audit entry per schedule.

                Examples:
                  tenantpilot retention apply --schedule contoso/nightly --dry-run
                  tenantpilot retention apply --json
                """)

        @OptionGroup var global: GlobalOptions

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Only this schedule (id or TENANT/NAME, see `tenantpilot schedules list`).", valueName: "schedule"))
        var schedule: ScheduleReference?

        @Flag(name: .long, help: "Show what would be deleted; delete nothing and write no audit entry.")
        var dryRun = false

        func run(in context: CommandContext) async throws {
            if !dryRun { context.announceClock() }
            let store = try await context.openStore()
            var scheduleId: Int64?
            switch schedule {
            case .id(let id)?:
                // An id is taken as it is (a removed schedule's sets can still be reported).
                scheduleId = id
            case let reference?:
                // TENANT/NAME names a schedule that exists.
                scheduleId = try await ScheduleService(store: store).find(reference).schedule.rowID
            case nil:
                break
            }
            let report = try await RetentionService(store: store).apply(
                scheduleId: scheduleId, dryRun: dryRun, actor: context.actor, at: context.now)
            context.emit(report) { Self.render(report) }
        }

        static func render(_ report: RetentionReport) -> String {
            if report.schedules.isEmpty { return "No schedules to apply retention to." }
            let deleteWord = report.dryRun ? "would delete" : "delete"
            var blocks: [String] = []
            for schedule in report.schedules {
                let zone = schedule.policy.calendarRules.isEmpty ? "" : " (days in \(schedule.timezone))"
                let heading =
                    "Schedule \(schedule.scheduleId) (\(schedule.tenantName)/\(schedule.scheduleName)), keep "
                    + schedule.policy.summary + zone + (schedule.scheduleRemoved ? ", removed" : "")
                // The table fits 80 columns, so a kept set's cell names its rules by key; every
                // rule's full reason follows the table, one kept set a line.
                let rows = schedule.sets.map { decision in
                    [
                        String(decision.setId), decision.createdAt.text, decision.status.rawValue,
                        decision.action == .keep ? "keep" : deleteWord,
                        decision.action == .keep && !decision.rules.isEmpty
                            ? decision.rules.joined(separator: ", ") : decision.reason,
                    ]
                }
                let table =
                    rows.isEmpty
                    ? "  (no finished backup sets)"
                    : TextTable(header: ["SET", "CREATED", "STATUS", "ACTION", "RULES"], rows: rows).render()
                let kept = schedule.sets.filter { $0.action == .keep }
                let reasons =
                    kept.isEmpty
                    ? []
                    : ["Kept because:"] + kept.map { "  set \($0.setId): \($0.reasons.joined(separator: "; "))" }
                let would = report.dryRun ? "would be " : ""
                let summary =
                    "\(schedule.setsDeleted) set(s) \(would)deleted, \(schedule.payloadsRemoved) payload(s) \(would)removed, "
                    + "\(bytes(schedule.bytesFreed)) \(would)freed"
                blocks.append(([heading, table] + reasons + [summary]).joined(separator: "\n"))
            }
            if report.dryRun {
                blocks.append("Dry run: nothing was changed and no audit entry was written.")
            }
            return blocks.joined(separator: "\n\n")
        }

        static func bytes(_ count: Int64) -> String {
            if count < 1024 { return "\(count) B" }
            if count < 1024 * 1024 { return String(format: "%.1f KiB", Double(count) / 1024) }
            return String(format: "%.1f MiB", Double(count) / 1_048_576)
        }
    }
}
