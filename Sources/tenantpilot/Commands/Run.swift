import ArgumentParser
import Foundation
import TenantPilotCore

#if canImport(Glibc)
    import Glibc
#endif

extension TenantPilot {
    /// `run ID`: "Run now".
    struct Run: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a schedule now (trigger manual) and wait for the run to end.",
            discussion: """
                The run takes the current minute as its slot; if that slot already has a run, the
                command names it and exits 4. Exit codes: 0 success, 1 failed, 3 partial, 4 skipped.

                Example:
                  tenantpilot run contoso/nightly
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: QuietOption
        @OptionGroup var timeout: RunTimeoutOption
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference

        func validate() throws {
            if output.quiet && global.json { throw ValidationError("--quiet and --json cannot be given together") }
        }

        func run(in context: CommandContext) async throws {
            context.announceClock()
            let store = try await context.openStore()
            let runs = ManualRuns(executor: try context.runExecutor(store: store, deadline: timeout.deadline))
            let finished = try await runs.runNow(
                schedule, actor: context.actor, at: context.now, progress: ProgressLine.make(context))
            ProgressLine.clear(context)
            try await RunText.report(finished, store: store, context: context, quiet: output.quiet)
        }
    }

    /// `retry RUN_ID`.
    struct Retry: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Run a failed, partial or skipped run's schedule again (trigger retry).",
            discussion: """
                Exit codes: 0 success, 1 failed, 3 partial, 4 skipped or slot taken, 2 when the run
                cannot be retried (it succeeded, or is still running).

                Example:
                  tenantpilot retry 42
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: QuietOption
        @OptionGroup var timeout: RunTimeoutOption
        @Argument(help: "The run to retry.") var runId: Int64

        func validate() throws {
            if output.quiet && global.json { throw ValidationError("--quiet and --json cannot be given together") }
        }

        func run(in context: CommandContext) async throws {
            context.announceClock()
            let store = try await context.openStore()
            let runs = ManualRuns(executor: try context.runExecutor(store: store, deadline: timeout.deadline))
            let finished = try await runs.retry(
                runId: runId, actor: context.actor, at: context.now, progress: ProgressLine.make(context))
            ProgressLine.clear(context)
            try await RunText.report(finished, store: store, context: context, quiet: output.quiet)
        }
    }
}

extension RunText {
    /// Prints a finished interactive run, exits with its code,
    /// and names it on stderr when it did not succeed.
    static func report(_ run: BackupRun, store: Store, context: CommandContext, quiet: Bool) async throws {
        let document = try await RunHistory(store: store).find(run.rowID)
        if !quiet { context.emit(document) { detail(document) } }
        problem(document)
        try context.exit(with: ExitStatus.of(run: run.status))
    }
}

/// Progress of an interactive run on stderr — only on a terminal and never with `--json`.
enum ProgressLine {
    static func make(_ context: CommandContext) -> (@Sendable (BackupProgress) -> Void)? {
        guard !context.json, isatty(STDERR_FILENO) == 1 else { return nil }
        return { progress in
            var text =
                "\r\u{1B}[K  types \(progress.typesDone)/\(progress.typesTotal), policies \(progress.policiesDone)"
            if let wait = progress.waitingForBudget {
                let seconds = max(
                    1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
                text += ", waiting \(seconds) s for Graph's request budget"
            }
            CommandOutput.writeError(text)
        }
    }

    static func clear(_ context: CommandContext) {
        guard !context.json, isatty(STDERR_FILENO) == 1 else { return }
        CommandOutput.writeError("\r\u{1B}[K")
    }
}
