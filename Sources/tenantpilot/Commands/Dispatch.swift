import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `dispatch`: the crontab's entry point.
    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dispatch",
            abstract: "Run the schedules that are due now (call it from cron every minute).",
            discussion: """
                Creates exactly one run per due (schedule, slot), whatever the number of dispatchers
                started at once; marks runs of dead processes ABANDONED; records missed slots as
                skipped MISSED_SLOT runs (no catch-up). Prints nothing when nothing is due.

                Example crontab line:
                  * * * * * tenantpilot dispatch
                """)

        @OptionGroup var global: GlobalOptions

        @Option(
            help: ArgumentHelp(
                "How late a cron tick may be and still run its slot (90s, 10m, 1h).", valueName: "duration"))
        var grace = "5m"

        @Option(help: "How many schedules may run at once.")
        var concurrency = 4

        @OptionGroup var timeout: RunTimeoutOption

        mutating func run() async throws {
            try await global.run { context in
                let graceSeconds = try DurationText.parse(grace, option: "--grace")
                guard (1...256).contains(concurrency) else {
                    throw TenantPilotError.invalid("--concurrency \(concurrency) must be between 1 and 256")
                }
                let deadline = try timeout.deadline()
                context.announceClock()
                let store = try context.openStore()
                let now = context.dependencies.clock.now()
                let report = try await Dispatcher(executor: try context.runExecutor(store: store, deadline: deadline))
                    .dispatch(at: now, grace: graceSeconds, concurrency: concurrency, actor: context.actor)
                context.emit(
                    DispatchDocument(now: ISO8601.string(report.now), runs: report.runs, abandoned: report.abandoned)
                ) {
                    (report.abandoned.map { "run \($0) abandoned (its process died): marked failed ABANDONED" }
                        + report.runs.map(RunText.line)).joined(separator: "\n")
                }
                switch report.realigned {
                case .clockSteppedBack(let last)?:
                    CommandOutput.writeError(
                        "note: the clock reads earlier than the last dispatch (\(last)); every schedule's next slot was recomputed from now\n"
                    )
                case .zoneDataChanged(let old, let new)?:
                    CommandOutput.writeError(
                        "note: the time-zone data changed (\(old) → \(new)); every schedule's next slot was recomputed\n"
                    )
                case nil:
                    break
                }
                let statuses = Set(report.runs.map(\.status))
                if statuses.contains("failed") { throw ExitCode(1) }
                if statuses.contains("partial") { throw ExitCode(3) }
            }
        }
    }
}

/// `dispatch --json`.
struct DispatchDocument: Encodable {
    let now: String
    let runs: [RunDocument]
    let abandoned: [Int64]
}

/// Human renderings of runs.
enum RunText {
    static func line(_ run: RunDocument) -> String {
        var text = "run \(run.id)  \(name(run))  \(run.scheduled_for)  \(run.trigger)  \(run.status)"
        if let code = run.error_code { text += "  \(code)" }
        if run.trigger == "restore" {
            text += "  " + restoreCounts(run)
        } else if run.status == "success" || run.status == "partial" {
            text += "  \(run.counts.policies) policies"
            if let set = run.backup_set_id { text += ", set \(set)" }
        }
        return text
    }

    /// `TENANT/NAME`, or the tenant alone for a run without a schedule.
    static func name(_ run: RunDocument) -> String {
        run.schedule.map { "\(run.tenant)/\($0)" } ?? run.tenant
    }

    static func restoreCounts(_ run: RunDocument) -> String {
        let counts = run.counts
        return "\(counts.created ?? 0) created, \(counts.updated ?? 0) updated, \(counts.deleted ?? 0) deleted, \(counts.failed ?? 0) failed"
    }

    static func detail(_ run: RunDocument) -> String {
        var lines = [
            "run \(run.id) of \(name(run))" + (run.schedule_id.map { " (schedule \($0))" } ?? ""),
            "  slot:       \(run.scheduled_for)",
            "  trigger:    \(run.trigger)\(run.retry_of.map { " (retry of run \($0))" } ?? "")",
            "  status:     \(run.status)\(run.error_code.map { " \($0)" } ?? "")",
        ]
        if let message = run.error_message { lines.append("  message:    \(message)") }
        lines.append("  started:    \(run.started_at ?? "-")")
        lines.append("  finished:   \(run.finished_at ?? "-")")
        lines.append("  backup set: \(run.backup_set_id.map(String.init) ?? "-")")
        if run.trigger == "restore" {
            lines.append("  counts:     " + restoreCounts(run))
            return lines.joined(separator: "\n")
        }
        lines.append(
            "  counts:     \(run.counts.policies) policies, \(run.counts.items) items, \(run.counts.failed_items) failed"
                + (run.counts.skipped_types.isEmpty
                    ? "" : ", skipped types: \(run.counts.skipped_types.joined(separator: ", "))"))
        return lines.joined(separator: "\n")
    }

    /// SPEC §3: 0 success, 1 failed, 3 partial, 4 skipped.
    static func exitCode(_ run: BackupRun) -> Int32 {
        switch run.status {
        case .success: 0
        case .partial: 3
        case .skipped: 4
        case .failed, .pending, .running: 1
        }
    }
}
