import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `dispatch`: the crontab's entry point.
    struct Dispatch: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "dispatch",
            abstract: "Run the schedules that are due now (call it from cron every minute).",
            discussion: """
                Creates exactly one run per due (schedule, slot), whatever the number of dispatchers
                started at once; marks runs of dead processes ABANDONED; records missed slots as
                skipped MISSED_SLOT runs (no catch-up). Prints one line per run it created on stdout
                and nothing when nothing is due; every run that did not succeed, and every abandoned
                run, is also named on stderr, so cron mails exactly the problems.

                Example crontab line:
                  * * * * * tenantpilot dispatch >> /var/log/tenantpilot/dispatch.log
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: QuietOption

        @Option(
            help: ArgumentHelp(
                "How late a cron tick may be and still run its slot (90s, 10m, 1h).", valueName: "duration"))
        var grace = DurationArgument.fiveMinutes

        @Option(parsing: .unconditional, help: "How many schedules may run at once (1–256).")
        var concurrency = 4

        @OptionGroup var timeout: RunTimeoutOption

        @Option(
            name: .customLong("metrics-textfile"),
            help: ArgumentHelp(
                "After the cycle, write `tenantpilot metrics` to this file (node_exporter).", valueName: "path"))
        var metricsTextfile: String?

        func validate() throws {
            if output.quiet && global.json { throw ValidationError("--quiet and --json cannot be given together") }
            if metricsTextfile?.isEmpty == true { throw ValidationError("--metrics-textfile \"\" names no file") }
            guard (1...256).contains(concurrency) else {
                throw ValidationError("--concurrency \(concurrency) must be between 1 and 256")
            }
        }

        func run(in context: CommandContext) async throws {
            let store = try await context.openStore()
            let report = try await Dispatcher(
                executor: try context.runExecutor(store: store, deadline: timeout.deadline)
            )
            .dispatch(at: context.now, grace: grace.seconds, concurrency: concurrency, actor: context.actor)
            // Nothing at all when nothing was due: not even the note about a rehearsal's clock.
            if !report.runs.isEmpty || !report.abandonedRuns.isEmpty || report.realigned != nil {
                context.announceClock()
            }
            if !output.quiet {
                context.emit(
                    DispatchDocument(now: Instant(report.now), runs: report.runs, abandoned: report.abandoned)
                ) {
                    (report.abandoned.map { "run \($0) abandoned (its process died): marked failed ABANDONED" }
                        + report.runs.map(RunText.line)).joined(separator: "\n")
                }
            }
            for run in report.abandonedRuns + report.runs { RunText.problem(run) }
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
            var status = ExitStatus.of(dispatched: report.runs.map(\.status))
            if let metricsTextfile {
                do {
                    let exposition = try await MetricsExposition.read(
                        from: store, at: context.now, grace: grace.seconds)
                    try MetricsTextfile.write(exposition, to: metricsTextfile)
                } catch {
                    // The runs are done and recorded; a textfile that cannot be written is still loud.
                    CommandOutput.printError(error.message)
                    if status == ExitStatus.success { status = ExitStatus.failure }
                }
            }
            try context.exit(with: status)
        }
    }
}

extension DurationArgument {
    /// `--grace`'s default.
    static let fiveMinutes = DurationArgument(seconds: 300, text: "5m")
}

/// `dispatch --json`.
struct DispatchDocument: Encodable {
    let now: Instant
    let runs: [RunDocument]
    let abandoned: [Int64]
}

/// Human renderings of runs.
enum RunText {
    static func line(_ run: RunDocument) -> String {
        var text = "run \(run.id)  \(name(run))  \(run.scheduledFor)  \(run.trigger.rawValue)  \(run.status.rawValue)"
        if let code = run.errorCode { text += "  \(code)" }
        if run.trigger == .restore {
            text += "  " + restoreCounts(run)
        } else if run.status == .success || run.status == .partial {
            text += "  \(run.counts.policies) policies"
            if let set = run.backupSetId { text += ", set \(set)" }
        }
        return text
    }

    /// `TENANT/NAME`, or the tenant alone for a run without a schedule.
    static func name(_ run: RunDocument) -> String { run.subjectName }

    static func restoreCounts(_ run: RunDocument) -> String {
        let counts = run.counts
        return
            "\(counts.created ?? 0) created, \(counts.updated ?? 0) updated, \(counts.deleted ?? 0) deleted, \(counts.failed ?? 0) failed"
    }

    static func detail(_ run: RunDocument) -> String {
        var lines = [
            "run \(run.id) of \(name(run))" + (run.scheduleId.map { " (schedule \($0))" } ?? ""),
            "  slot:       \(run.scheduledFor)",
            "  trigger:    \(run.trigger.rawValue)\(run.retryOf.map { " (retry of run \($0))" } ?? "")",
            "  status:     \(run.status.rawValue)\(run.errorCode.map { " \($0)" } ?? "")",
        ]
        if let message = run.errorMessage { lines.append("  message:    \(message)") }
        lines.append("  started:    \(run.startedAt?.text ?? "-")")
        lines.append("  finished:   \(run.finishedAt?.text ?? "-")")
        lines.append("  host:       \(run.host.map(PlainText.escaped) ?? "-")")
        lines.append("  backup set: \(run.backupSetId.map(String.init) ?? "-")")
        if run.trigger == .restore {
            lines.append("  counts:     " + restoreCounts(run))
            return lines.joined(separator: "\n")
        }
        lines.append(
            "  counts:     \(run.counts.policies) policies, \(run.counts.items) items, \(run.counts.failedItems) failed"
                + (run.counts.skippedTypes.isEmpty
                    ? "" : ", skipped types: \(run.counts.skippedTypes.joined(separator: ", "))"))
        return lines.joined(separator: "\n")
    }
}
