import ArgumentParser

/// Benchmarks for `scripts/bench`; each prints a Markdown row set for docs/performance.md.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantpilot-bench",
        abstract: "TenantPilot benchmarks (run through scripts/bench).",
        subcommands: [
            NextSlotsBenchmark.self, GraphCaptureBenchmark.self, RetentionBenchmark.self, DispatchBenchmark.self,
            RestoreBenchmark.self, CalendarRetentionBenchmark.self, PurgeBenchmark.self,
        ]
    )
}
