import ArgumentParser
import Foundation
import GRDB
import TenantPilotCore

/// `tenantpilot-bench calendar-retention`: `retention apply` over many schedules with calendar
/// rules, each holding a long history of daily sets, through `RetentionService` as the command
/// runs it. Measured in one run: a keep-last-only dry run of the same size (the baseline), the
/// calendar rules' dry run, the first real application (which deletes most sets), and the daily
/// steady state (one new set per schedule, then retention again). And the first application
/// once more on a copy of the store in which every set has the run that made it, as dispatch
/// leaves them: the deletion also clears each run's reference to its set.
struct CalendarRetentionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar-retention",
        abstract: "retention apply over many schedules with keep-daily/weekly/monthly/yearly rules.",
        discussion:
            "Prints a Markdown section for docs/performance.md.\n\nExample:\n  tenantpilot-bench calendar-retention --schedules 1000 --sets 400"
    )

    @Option(help: "Schedules.") var schedules = 1_000
    @Option(help: "Tenants the schedules belong to, in turn (one schedule each by default, as an MSP has them).")
    var tenants = 1_000
    @Option(help: "Sets per schedule, one a day.") var sets = 400
    @Option(help: "Items per set (an unchanged tenant: every set shares its versions).") var items = 2
    @Option(help: "keep-daily.") var daily = 7
    @Option(help: "keep-weekly.") var weekly = 4
    @Option(help: "keep-monthly.") var monthly = 12
    @Option(help: "keep-yearly.") var yearly = 3
    @Option(help: "Target in seconds for one retention apply over every schedule.") var target = 2.0
    @Option(help: "Also copy the seeded store to this path before measuring (to profile it with sqlite3).")
    var keepSeeded: String?
    @Option(
        help:
            "Measure a copy of this store (one that --keep-seeded wrote, with the same options) instead of seeding one."
    )
    var seeded: String?

    mutating func run() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenantpilot-bench-calendar-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tenantpilot.sqlite").path
        let clock = ContinuousClock()
        let seedStart = clock.now
        let start: Date
        if let seeded {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: seeded, toPath: path)
            start = Self.seedStart
        } else {
            start = try await seed(path: path)
        }
        let seedTime = clock.now - seedStart
        if let keepSeeded { try FileManager.default.copyItem(atPath: path, toPath: keepSeeded) }
        let withRunsPath = folder.appendingPathComponent("with-runs.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: withRunsPath)
        try await addRuns(path: withRunsPath)

        let store = try await Store.open(path: path)
        let retention = RetentionService(store: store)
        let now = start.addingTimeInterval(Double(sets) * 86_400)

        // A first dry run warms the caches and says how many sets the rules keep.
        let warm = try await retention.apply(scheduleId: nil, dryRun: true, actor: "bench", at: now)
        let kept = warm.schedules.first.map { $0.sets.count - $0.setsDeleted } ?? 0
        try await setRules(path: path, keepLast: kept)
        let (baseline, baselineReport) = try await timed(clock) {
            try await retention.apply(scheduleId: nil, dryRun: true, actor: "bench", at: now)
        }
        try await setRules(path: path, keepLast: nil)
        let (dryRun, dryReport) = try await timed(clock) {
            try await retention.apply(scheduleId: nil, dryRun: true, actor: "bench", at: now)
        }
        let (first, firstReport) = try await timed(clock) {
            try await retention.apply(scheduleId: nil, dryRun: false, actor: "bench", at: now)
        }
        try await addDay(path: path, day: sets, start: start)
        let (steady, steadyReport) = try await timed(clock) {
            try await retention.apply(
                scheduleId: nil, dryRun: false, actor: "bench", at: now.addingTimeInterval(86_400))
        }
        let (settled, settledReport) = try await timed(clock) {
            try await retention.apply(
                scheduleId: nil, dryRun: false, actor: "bench", at: now.addingTimeInterval(86_400))
        }
        try await store.close()

        let withRuns = try await Store.open(path: withRunsPath)
        let withRunsRetention = RetentionService(store: withRuns)
        _ = try await withRunsRetention.apply(scheduleId: nil, dryRun: true, actor: "bench", at: now)
        let (firstWithRuns, firstWithRunsReport) = try await timed(clock) {
            try await withRunsRetention.apply(scheduleId: nil, dryRun: false, actor: "bench", at: now)
        }
        try await withRuns.close()

        func verdict(_ duration: Duration) -> String { Self.seconds(duration) < target ? "meets" : "misses" }
        print(
            """
            ### calendar-retention

            `retention apply` over \(schedules) schedules of \(tenants) tenants (zone Europe/Berlin) with \(sets) daily sets each \
            (\(schedules * sets) sets, \(items) items per set sharing their payloads), under keep-daily \(daily), \
            keep-weekly \(weekly), keep-monthly \(monthly), keep-yearly \(yearly): each schedule keeps \(kept) \
            sets. `RetentionService.apply` for every schedule, as `tenantpilot retention apply` calls it, \
            whole schedules in write transactions of up to \(retention.setsPerTransaction) sets deleted each, or all in \
            one bulk deletion when the rules are bound to delete most sets (the first application), a dry run from one \
            read snapshot. Baseline, in the same run and store: a dry run of keep-last \
            \(kept) (the same number kept) without calendar rules. \(seeded == nil ? "Seeding took \(Self.format(seedTime))." : "The store was a copy of a seeded one.")

            | measure | time | sets deleted | vs. baseline |
            |---|---|---|---|
            | baseline: dry run, keep-last \(kept) only | \(Self.format(baseline)) | (\(baselineReport.setsDeleted) would be) | 1.00× |
            | dry run, calendar rules | \(Self.format(dryRun)) | (\(dryReport.setsDeleted) would be) | \(Self.ratio(dryRun, baseline)) |
            | first apply: deletes the old sets | **\(Self.format(first))** (\(verdict(first)) the target < \(Self.trim(target)) s) | \(firstReport.setsDeleted) | \(Self.ratio(first, baseline)) |
            | next day: one new set per schedule, apply | **\(Self.format(steady))** (\(verdict(steady)) the target) | \(steadyReport.setsDeleted) | \(Self.ratio(steady, baseline)) |
            | apply again, nothing to delete | \(Self.format(settled)) | \(settledReport.setsDeleted) | \(Self.ratio(settled, baseline)) |
            | first apply, every set with its run (a copy of the store) | \(Self.format(firstWithRuns)) (\(verdict(firstWithRuns)) the target) | \(firstWithRunsReport.setsDeleted) | \(Self.ratio(firstWithRuns, baseline)) |
            """)
    }

    // MARK: - Store

    /// `tenants` tenants, `schedules` schedules (schedule n belongs to tenant n modulo `tenants`)
    /// and `sets` daily sets each (inserted day by day, as dispatch writes them), each set holding
    /// `items` items of versions every set of its schedule shares.
    func seed(path: String) async throws -> Date {
        let start = Self.seedStart
        try await BenchStore.seed(path: path) { db in
            let tenant = try db.makeStatement(
                sql: """
                    INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES (?, ?, 'client', 'BENCH_SECRET', 'https://graph.microsoft.com',
                            'https://login.microsoftonline.com', '2025-01-01T00:00:00Z')
                    """)
            for number in 1...tenants {
                try tenant.execute(arguments: [
                    "bench-\(number)", String(format: "%08x-0000-4000-8000-0000000000c1", number),
                ])
            }
            let schedule = try db.makeStatement(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, keep_daily,
                        keep_weekly, keep_monthly, keep_yearly, created_at, updated_at)
                    VALUES (?, ?, 'Europe/Berlin', '{"at":["02:00"]}', '["deviceConfiguration"]', ?, ?, ?, ?,
                            '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')
                    """)
            let payload = try db.makeStatement(
                sql: "INSERT INTO backup_payloads (sha256, size, content) VALUES (?, ?, ?)")
            let key = try db.makeStatement(sql: "INSERT INTO backup_item_keys (policy_type, graph_id) VALUES (?, ?)")
            let version = try db.makeStatement(
                sql: "INSERT INTO backup_item_versions (key_id, payload_id, display_name) VALUES (?, ?, ?)")
            for number in 1...schedules {
                try schedule.execute(arguments: [
                    Self.tenant(ofSchedule: number, tenants: tenants), "s\(number)", daily, weekly, monthly, yearly,
                ])
                for item in 0..<items {
                    let content = Data("{\"id\":\"s\(number)-p\(item)\",\"settings\":[1,2,3]}".utf8)
                    try payload.execute(arguments: [
                        String(format: "%064x", number * 1_000 + item), content.count, content,
                    ])
                    let payloadId = db.lastInsertedRowID
                    try key.execute(arguments: ["deviceConfiguration", "s\(number)-p\(item)"])
                    try version.execute(arguments: [db.lastInsertedRowID, payloadId, "Policy \(item)"])
                }
            }
        }
        for day in 0..<sets { try await addDay(path: path, day: day, start: start) }
        return start
    }

    /// The first seeded day.
    static let seedStart = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    /// One day's set for every schedule.
    func addDay(path: String, day: Int, start: Date) async throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try await queue.write { [schedules, items, tenants] db in
            let set = try db.makeStatement(
                sql: """
                    INSERT INTO backup_sets (tenant_id, backup_schedule_id, status, item_count, created_at, completed_at)
                    VALUES (?, ?, 'complete', ?, ?, ?)
                    """)
            let item = try db.makeStatement(
                sql: "INSERT INTO backup_items (backup_set_id, key_id, version_id) VALUES (?, ?, ?)")
            for number in 1...schedules {
                let at = start.addingTimeInterval(Double(day) * 86_400 + 3_600 + Double(number))
                let text = ISO8601.string(at)
                try set.execute(arguments: [
                    Self.tenant(ofSchedule: number, tenants: tenants), number, items, text, text,
                ])
                let setId = db.lastInsertedRowID
                for offset in 0..<items {
                    let id = Int64((number - 1) * items + offset + 1)
                    try item.execute(arguments: [setId, id, id])
                }
            }
        }
    }

    /// One successful scheduled run per set, which the set names and which names the set.
    func addRuns(path: String) async throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup_schedule_runs (backup_schedule_id, tenant_id, scheduled_for, trigger, status,
                        backup_set_id, actor, policies_count, items_count, created_at, started_at, finished_at)
                    SELECT backup_schedule_id, tenant_id, substr(created_at, 1, 16) || ':00Z', 'scheduled', 'success',
                        id, 'dispatch', item_count, item_count, created_at, created_at, completed_at
                    FROM backup_sets ORDER BY id
                    """)
            try db.execute(
                sql: """
                    UPDATE backup_sets SET run_id = (
                        SELECT r.id FROM backup_schedule_runs r WHERE r.backup_set_id = backup_sets.id)
                    """)
        }
    }

    /// The tenant of schedule `number` (both counted from 1).
    static func tenant(ofSchedule number: Int, tenants: Int) -> Int { (number - 1) % tenants + 1 }

    /// Keep-last `keepLast` only (the baseline), or with nil the calendar rules.
    func setRules(path: String, keepLast: Int?) async throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try await queue.write { [daily, weekly, monthly, yearly] db in
            if let keepLast {
                try db.execute(
                    sql: """
                        UPDATE backup_schedules SET keep_last = ?, keep_daily = NULL, keep_weekly = NULL,
                            keep_monthly = NULL, keep_yearly = NULL
                        """, arguments: [keepLast])
            } else {
                try db.execute(
                    sql: """
                        UPDATE backup_schedules SET keep_last = NULL, keep_daily = ?, keep_weekly = ?,
                            keep_monthly = ?, keep_yearly = ?
                        """, arguments: [daily, weekly, monthly, yearly])
            }
        }
    }

    // MARK: - Figures

    func timed<T>(_ clock: ContinuousClock, _ body: () async throws -> T) async throws -> (Duration, T) {
        let start = clock.now
        let value = try await body()
        return (clock.now - start, value)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ duration: Duration) -> String {
        let value = seconds(duration)
        return value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.2f s", value)
    }

    static func ratio(_ duration: Duration, _ baseline: Duration) -> String {
        String(format: "%.2f×", seconds(duration) / max(seconds(baseline), 1e-9))
    }

    static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
