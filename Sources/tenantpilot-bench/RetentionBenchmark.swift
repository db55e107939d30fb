import ArgumentParser
import Foundation
import TenantPilotCore

/// `tenantpilot-bench retention`: daily backups of an unchanged tenant through
/// `BackupSetStore`, with retention applied after each as the run engine does. Reports the
/// store's size against a single backup's, and what retention costs. Each day opens and closes
/// the store, as the cron-driven commands do, so the file size is measured after SQLite's
/// closing checkpoint.
struct RetentionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Store growth and retention time over daily backups of an unchanged tenant.",
        discussion:
            "Prints a Markdown section for docs/performance.md.\n\nExample:\n  tenantpilot-bench retention --days 60 --policies 1000 --keep-last 30"
    )

    @Option(help: "Daily backups to write.") var days = 60
    @Option(help: "Policies in the tenant.") var policies = 1_000
    @Option(help: "The schedule's keep-last.") var keepLast = 30
    @Option(help: "Target for the size ratio (store after all days / store after one backup).") var targetRatio = 1.5

    mutating func run() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenantpilot-bench-retention-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tenantpilot.sqlite").path
        let items = (0..<policies).map(SyntheticTenant.item)
        let payloadBytes = items.map { $0.payload.canonicalData().count }

        let (tenantId, scheduleId) = try await Self.prepare(path: path, keepLast: keepLast)
        let emptySize = Self.fileSize(path)
        var sizes: [Int] = []
        var backupTimes: [Duration] = []
        var retentionTimes: [Duration] = []
        var deletingRetentionTimes: [Duration] = []
        let clock = ContinuousClock()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for day in 0..<days {
            let at = start.addingTimeInterval(Double(day) * 86_400)
            let result = try await Self.oneDay(
                path: path, tenantId: tenantId, scheduleId: scheduleId, items: items, at: at, clock: clock)
            backupTimes.append(result.backup)
            retentionTimes.append(result.retention)
            if result.setsDeleted > 0 { deletingRetentionTimes.append(result.retention) }
            sizes.append(Self.fileSize(path))
        }

        let single = sizes.first ?? 0
        let final = sizes.last ?? 0
        let peak = sizes.max() ?? 0
        let ratio = Double(final - emptySize) / Double(max(1, single - emptySize))
        let ratioWithSchema = Double(final) / Double(max(1, single))
        // Issue 4's dedup target: what the second backup of the unchanged tenant adds.
        let second = sizes.count > 1 ? sizes[1] : single
        let secondShare = Double(second - single) / Double(max(1, single - emptySize)) * 100
        let kept = min(days, keepLast)
        let perItem = kept > 1 ? Double(final - single) / Double((kept - 1) * policies) : 0
        let averagePayload = Double(payloadBytes.reduce(0, +)) / Double(max(1, payloadBytes.count))
        let verdict = ratioWithSchema < targetRatio ? "meets" : "misses"
        print(
            """
            ### retention

            \(days) daily backups of an unchanged \(policies)-policy tenant (canonical payloads \
            \(Self.kib(payloadBytes.min() ?? 0))–\(Self.kib(payloadBytes.max() ?? 0)), average \
            \(String(format: "%.1f KiB", averagePayload / 1024))), written through `BackupSetStore`, \
            with keep-last \(keepLast) applied after each backup. The store is closed after each day, \
            as the cron-driven commands do, and measured on disk.

            | measure | value |
            |---|---|
            | empty store | \(Self.mib(emptySize)) |
            | store after 1 backup | \(Self.mib(single)) |
            | store after \(days) backups (\(kept) kept) | \(Self.mib(final)) (peak \(Self.mib(peak))) |
            | ratio to one backup | **\(String(format: "%.2f", ratioWithSchema))×** (\(verdict) the target < \(targetRatio)×; \(String(format: "%.2f", ratio))× without the empty schema) |
            | second backup of the unchanged tenant | adds \(String(format: "%.1f", secondShare))% of the first's bytes (target < 5%) |
            | cost of one more unchanged backup | \(String(format: "%.0f", perItem)) bytes per policy (its item row and index entries) |
            | backup write, median / max | \(Self.ms(Self.median(backupTimes))) / \(Self.ms(backupTimes.max() ?? .zero)) |
            | retention with nothing to delete, median | \(Self.ms(Self.median(Array(retentionTimes.prefix(kept))))) |
            | retention deleting one set, median / max | \(Self.ms(Self.median(deletingRetentionTimes))) / \(Self.ms(deletingRetentionTimes.max() ?? .zero)) |
            """)
    }

    // MARK: - Helpers

    /// Creates the store with one tenant and one schedule.
    static func prepare(path: String, keepLast: Int) async throws -> (tenant: Int64, schedule: Int64) {
        try await BenchStore.seed(path: path) { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES ('bench', '00000000-0000-0000-0000-0000000000b1', 'client', 'BENCH_SECRET',
                            'https://graph.microsoft.com', 'https://login.microsoftonline.com', '2026-01-01T00:00:00Z')
                    """)
            let tenant = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, keep_last, created_at, updated_at)
                    VALUES (?, 'daily', 'UTC', '{"at":["02:00"]}', '["deviceConfiguration"]', ?, '2026-01-01T00:00:00Z',
                            '2026-01-01T00:00:00Z')
                    """,
                arguments: [tenant, keepLast])
            return (tenant, db.lastInsertedRowID)
        }
    }

    /// One day as cron would run it: open the store, back up, apply retention, close.
    static func oneDay(
        path: String, tenantId: Int64, scheduleId: Int64, items: [NewBackupItem], at: Date, clock: ContinuousClock
    ) async throws -> (backup: Duration, retention: Duration, setsDeleted: Int) {
        let store = try await Store.open(path: path)
        let backups = BackupSetStore(store: store)
        let backupStart = clock.now
        let id = try await backups.beginSet(tenantId: tenantId, scheduleId: scheduleId, runId: nil, at: at)
        try await backups.addItems(setId: id, items: items)
        try await backups.completeSet(setId: id, status: .complete, at: at.addingTimeInterval(120))
        let backupTime = clock.now - backupStart
        let retentionStart = clock.now
        let deleted = try await RetentionService(store: store).apply(
            scheduleId: scheduleId, dryRun: false, actor: "bench", at: at.addingTimeInterval(121)
        ).setsDeleted
        let retentionTime = clock.now - retentionStart
        try await store.close()
        return (backupTime, retentionTime, deleted)
    }

    static func fileSize(_ path: String) -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }

    static func median(_ values: [Duration]) -> Duration {
        let sorted = values.sorted()
        return sorted.isEmpty ? .zero : sorted[sorted.count / 2]
    }

    static func ms(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f ms", seconds * 1000)
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.2f MiB", Double(bytes) / 1_048_576) }
    static func kib(_ bytes: Int) -> String { String(format: "%.1f KiB", Double(bytes) / 1024) }
}

/// Intune-like policies of 2–4 KB canonical JSON: a settings-catalog shape with assignments.
enum SyntheticTenant {
    static func item(_ index: Int) -> NewBackupItem {
        let id = String(
            format: "%08x-%04x-4%03x-8%03x-%012x", index &* 2_654_435_761 & 0xffff_ffff, index % 0xffff, index % 0xfff,
            (index * 7) % 0xfff, index * 104_729)
        let settingCount = 4 + (index * 37) % 10
        let settings: [JSONValue] = (0..<settingCount).map { number in
            .object([
                "id": .string("\(number)"),
                "settingInstance": .object([
                    "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance"),
                    "settingDefinitionId": .string(
                        "device_vendor_msft_policy_config_area\(index % 40)_setting\(number)"),
                    "choiceSettingValue": .object([
                        "value": .string(
                            "device_vendor_msft_policy_config_area\(index % 40)_setting\(number)_\(number % 3)"),
                        "children": .array([]),
                    ]),
                ]),
            ])
        }
        let payload: JSONValue = .object([
            "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationPolicy"),
            "id": .string(id),
            "name": .string("Baseline \(index)"),
            "description": .string(
                "Security baseline \(index) for managed Windows devices, owned by the workplace team."),
            "platforms": .string("windows10"),
            "technologies": .string("mdm"),
            "createdDateTime": .string("2025-11-03T09:14:22Z"),
            "lastModifiedDateTime": .string("2026-01-12T16:40:05Z"),
            "settingCount": .int(Int64(settingCount)),
            "roleScopeTagIds": .array([.string("0")]),
            "templateReference": .object([
                "templateId": .string(""), "templateFamily": .string("none"), "templateDisplayName": .null,
            ]),
            "settings": .array(settings),
            "assignments": .array([
                .object([
                    "id": .string("\(id)_1"),
                    "target": .object([
                        "@odata.type": .string("#microsoft.graph.groupAssignmentTarget"),
                        "groupId": .string(id), "deviceAndAppManagementAssignmentFilterType": .string("none"),
                    ]),
                ])
            ]),
        ])
        return NewBackupItem(
            typeKey: "settingsCatalogPolicy", graphId: id, displayName: "Baseline \(index)", payload: payload)
    }
}
