import ArgumentParser
import Foundation
import GRDB
import TenantPilotCore

/// `tenantpilot-bench purge`: a store of equal tenants (the same number of policies of the same
/// sizes, each tenant's own), written through `BackupSetStore`; one is removed with `--purge`
/// through `TenantService`, as `tenantpilot tenants remove T --purge` does. Reports the store's
/// size on disk before and after (closed, as after a command), against the tenant's share.
struct PurgeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Store size before and after purging one of many equal tenants.",
        discussion:
            "Prints a Markdown section for docs/performance.md.\n\nExample:\n  tenantpilot-bench purge --tenants 100 --policies 100 --sets 5"
    )

    @Option(help: "Equal tenants.") var tenants = 100
    @Option(help: "Policies per tenant.") var policies = 100
    @Option(help: "Daily sets per tenant (each day one policy in ten changes).") var sets = 5
    @Option(help: "Target: the store shrinks by at least this share of its size, in percent.") var targetPercent = 0.9

    mutating func run() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenantpilot-bench-purge-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tenantpilot.sqlite").path
        let clock = ContinuousClock()

        var store = try await Store.open(path: path)
        var ids: [Int64] = []
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for number in 0..<tenants {
            let request = try NewTenant(
                name: "tenant-\(number)", tenantId: String(format: "%08x-0000-4000-8000-000000000000", number + 1),
                clientId: "bench", secretEnv: "BENCH_SECRET", secretFile: nil, graphURL: nil, authorityURL: nil,
                environment: ["BENCH_SECRET": "x"])
            ids.append(try await TenantService(store: store).add(request, actor: "bench", at: start).rowID)
        }
        let backups = BackupSetStore(store: store)
        for day in 0..<sets {
            let at = start.addingTimeInterval(Double(day) * 86_400)
            for (number, tenantId) in ids.enumerated() {
                let items = (0..<policies).map { index in
                    Self.item(tenant: number, index: index, revision: index % 10 == day % 10 ? day : 0)
                }
                let setId = try await backups.beginSet(tenantId: tenantId, scheduleId: nil, runId: nil, at: at)
                try await backups.addItems(setId: setId, items: items)
                try await backups.completeSet(setId: setId, status: .complete, at: at)
            }
        }
        try await store.close()
        let before = Self.fileSize(path)

        store = try await Store.open(path: path)
        let victim = tenants / 2
        let purgeStart = clock.now
        let removal = try await TenantService(store: store).remove(
            "tenant-\(victim)", withSchedules: false, purge: true, actor: "bench", at: start)
        let purgeTime = clock.now - purgeStart
        let others = try await BackupSetStore(store: store).listSets().count
        try await store.close()
        let after = Self.fileSize(path)

        let share = 100.0 / Double(tenants)
        let shrink = Double(before - after) / Double(before) * 100
        let counts = removal.purge ?? TenantService.PurgeCounts()
        print(
            """
            ### purge

            \(tenants) equal tenants of \(policies) policies each (Intune-like payloads of 2–4 KB, each \
            tenant's own), \(sets) daily sets per tenant (one policy in ten changes each day), written \
            through `BackupSetStore`; then `TenantService.remove(purge: true)` of one tenant, as \
            `tenantpilot tenants remove T --purge` runs it (one transaction, then the free pages given \
            back). Sizes on disk after the store is closed, as after a command. The tenant's share of \
            the store is 1/\(tenants) = \(String(format: "%.2f", share))%.

            | measure | value |
            |---|---|
            | store before | \(Self.mib(before)) |
            | store after purging one tenant | \(Self.mib(after)) |
            | smaller by | **\(String(format: "%.2f", shrink))%** of the store (\(shrink >= targetPercent ? "meets" : "misses") the target ≥ \(targetPercent)%) |
            | deleted | \(counts.sets) sets, \(counts.items) items, \(counts.payloads) payloads (\(Self.mib(Int(counts.bytesFreed)))) |
            | pages given back | \(removal.pagesReclaimed) |
            | purge, transaction and space | \(RetentionBenchmark.ms(purgeTime)) |
            | other tenants' sets left | \(others) of \((tenants - 1) * sets) |
            """)
    }

    /// `SyntheticTenant`'s policy, made the tenant's own (its ids, so its content, differ).
    static func item(tenant: Int, index: Int, revision: Int) -> NewBackupItem {
        var item = SyntheticTenant.item(tenant * 100_000 + index)
        if case .object(var fields) = item.payload {
            fields["revision"] = .int(Int64(revision))
            item.payload = .object(fields)
        }
        return item
    }

    static func fileSize(_ path: String) -> Int { RetentionBenchmark.fileSize(path) }

    static func mib(_ bytes: Int) -> String { RetentionBenchmark.mib(bytes) }
}
