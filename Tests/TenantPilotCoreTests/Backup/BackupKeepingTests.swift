import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// `backups create`, `delete`, `pin`/`unpin`, the export's modes and manifest, and `diff`
/// across tenants, on a real store.
@Suite struct BackupKeepingTests {
    static let t0 = BackupTestStore.t0

    @Test func aManualBackupHasNoScheduleAndNoRetentionEverDeletesIt() async throws {
        let fixture = try await EngineFixture()
        let schedule = try await fixture.addSchedule(at: ["02:00"])
        try fixture.sql { db in try db.execute(sql: "UPDATE backup_schedules SET keep_last = 1") }
        let executor = fixture.executor(RunEndingTests.OnePolicyCapture(store: fixture.store))
        let runs = ManualRuns(executor: executor)
        let manual = try await runs.backUp(
            tenant: "contoso", types: ["deviceConfiguration"], actor: "alice",
            at: EngineFixture.instant("2026-01-01T09:00:30Z"))
        #expect(manual.status == .success)
        #expect(manual.trigger == .manual)
        #expect(manual.scheduleId == nil)
        #expect(manual.scheduledFor.text == "2026-01-01T09:00:00Z")
        let manualSet = try #require(manual.backupSetId)
        // A second one in the same minute is another run: there is no slot to collide on.
        let second = try await runs.backUp(
            tenant: "contoso", types: ["deviceConfiguration"], actor: "alice",
            at: EngineFixture.instant("2026-01-01T09:00:40Z"))
        #expect(second.status == .success)
        for minute in 1...3 {
            _ = try await runs.runNow(
                .id(schedule.rowID), actor: "alice", at: EngineFixture.instant("2026-01-01T10:0\(minute):00Z"))
        }
        let sets = try await BackupSetStore(store: fixture.store).listSets(tenantId: fixture.tenant.rowID)
        #expect(sets.filter { $0.scheduleId == schedule.rowID }.count == 1)
        #expect(sets.contains { $0.id == manualSet && $0.scheduleId == nil })
        #expect(try fixture.schedule(schedule.rowID)?.lastRunAt?.text == "1970-01-01T00:00:00Z")
        let notified = try fixture.notifications().filter { $0.runId == manual.id }
        #expect(notified.count == 1)
        let audit = try fixture.store.writer.read { db in
            try String.fetchOne(
                db,
                sql:
                    "SELECT metadata FROM audit_logs WHERE action = 'backup_schedule.run_completed' AND resource_id = ?",
                arguments: [String(manual.rowID)])
        }
        #expect(audit?.contains("\"schedule_id\":null") == true)
    }

    @Test func deleteChecksEveryIdFirstAndNeverDeletesABuildingOrPinnedSet() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let keep = try await fixture.makeSet(tenantId: tenant, scheduleId: nil, items: SamplePolicies.items(2))
        let doomed = try await fixture.makeSet(
            tenantId: tenant, scheduleId: nil, items: SamplePolicies.items(3, revision: 1))
        let building = try await fixture.makeSet(
            tenantId: tenant, scheduleId: nil, items: SamplePolicies.items(1), status: nil)
        let sets = fixture.backups
        for (ids, expected) in [
            ([doomed, 999], "no backup set with id 999"), ([doomed, building], "still being written"),
        ] {
            do {
                _ = try await sets.deleteSets(ids, force: false, actor: "admin", at: Self.t0)
                Issue.record("deleted \(ids)")
            } catch {
                #expect(error.exitCode == 2)
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
        #expect(try fixture.count("SELECT count(*) FROM backup_sets") == 3)
        _ = try await sets.pin(keep, note: "before the change", actor: "admin", at: Self.t0)
        await #expect(throws: TenantPilotError.self) {
            _ = try await sets.deleteSets([keep], force: false, actor: "admin", at: Self.t0)
        }
        let deletion = try await sets.deleteSets([doomed, doomed], force: false, actor: "admin", at: Self.t0)
        #expect(deletion.setIds == [doomed])
        #expect(deletion.payloadsRemoved == 3)
        #expect(try await sets.set(id: doomed) == nil)
        #expect(try await sets.set(id: keep)?.items.count == 2)
        #expect(try fixture.count("SELECT count(*) FROM audit_logs WHERE action = 'backup.deleted'") == 1)
        _ = try await sets.deleteSets([keep], force: true, actor: "admin", at: Self.t0)
        #expect(try await sets.set(id: keep) == nil)
    }

    @Test func aPinnedSetIsKeptByRetentionUntilUnpinned() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 1)
        let old = try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: SamplePolicies.items(1))
        for day in 1...2 {
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: SamplePolicies.items(1), day: day)
        }
        let sets = fixture.backups
        let pinned = try await sets.pin(old, note: "audit 2026", actor: "admin", at: Self.t0)
        #expect(pinned.pinned)
        #expect(pinned.pinNote == "audit 2026")
        let retention = RetentionService(store: fixture.store)
        let report = try await retention.apply(scheduleId: schedule, dryRun: false, actor: "admin", at: Self.t0)
        #expect(report.setsDeleted == 1)
        let decision = try #require(report.schedules.first?.sets.first { $0.setId == old })
        #expect(decision.action == .keep)
        #expect(decision.rules == ["pinned"])
        let (unpinned, changed) = try await sets.unpin(old, actor: "admin", at: Self.t0)
        #expect(changed)
        #expect(!unpinned.pinned)
        #expect(try await sets.unpin(old, actor: "admin", at: Self.t0).changed == false)
        #expect(
            try await retention.apply(scheduleId: schedule, dryRun: false, actor: "admin", at: Self.t0).setsDeleted == 1
        )
        let actions = try fixture.store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_logs WHERE action LIKE 'backup.%pinned' ORDER BY id")
        }
        #expect(actions == ["backup.pinned", "backup.unpinned"])
        await #expect(throws: TenantPilotError.self) {
            _ = try await sets.pin(old, note: "line\nbreak", actor: "admin", at: Self.t0)
        }
    }

    @Test func anExportIsPrivateWhateverTheUmaskHasAManifestAndRefusesAFullFolder() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let set = try await fixture.makeSet(tenantId: tenant, scheduleId: nil, items: SamplePolicies.items(3))
        let out = TemporaryDirectory()
        let target = out.url.appendingPathComponent("new/export")
        let previous = umask(0)
        defer { umask(previous) }
        let exporter = BackupExporter(store: fixture.backups)
        let export = try await exporter.export(setId: set, to: target, force: false, actor: "admin", at: Self.t0)
        func mode(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
        }
        #expect(export.files.count == 3)
        for file in export.files + [export.manifest] { #expect(mode(file.path) == 0o600, "\(file.path)") }
        for folder in [target.path, target.appendingPathComponent("deviceConfiguration").path] {
            #expect(mode(folder) == 0o700, "\(folder)")
        }
        let manifest = try JSONValue.parse(try Data(contentsOf: export.manifest))
        #expect(manifest["set_id"] == .int(set))
        #expect(manifest["tenant"] == .string("contoso"))
        let items = try #require(manifest["items"]?.arrayValue)
        #expect(items.count == 3)
        for item in items {
            let file = try #require(item["file"]?.stringValue)
            let sha = try #require(item["sha256"]?.stringValue)
            #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent(file).path))
            #expect(sha.count == 64)
        }
        let refused = await #expect(throws: TenantPilotError.self) {
            _ = try await exporter.export(setId: set, to: target, force: false, actor: "admin", at: Self.t0)
        }
        #expect(refused?.exitCode == 2)
        #expect(refused?.message.contains("is not empty") == true)
        _ = try await exporter.export(setId: set, to: target, force: true, actor: "admin", at: Self.t0)
        #expect(try fixture.count("SELECT count(*) FROM audit_logs WHERE action = 'backup.exported'") == 2)
    }

    @Test func aDiffOfTwoTenantsSetsSaysSoAndMatchesByName() async throws {
        let fixture = try await BackupTestStore()
        let contoso = try fixture.addTenant("contoso")
        let fabrikam = try fixture.addTenant("fabrikam")
        func item(_ id: String, _ name: String, _ value: Int) -> NewBackupItem {
            NewBackupItem(
                typeKey: "deviceConfiguration", graphId: id, displayName: name,
                payload: .object(["id": .string(id), "displayName": .string(name), "value": .int(Int64(value))]))
        }
        let a = try await fixture.makeSet(
            tenantId: contoso, scheduleId: nil, items: [item("c1", "Baseline", 1), item("c2", "Only here", 1)])
        let b = try await fixture.makeSet(
            tenantId: fabrikam, scheduleId: nil, items: [item("f1", "Baseline", 2), item("f2", "New", 1)])
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let diff = try await BackupDiff.compare(from: a, to: b, store: fixture.backups, registry: registry)
        #expect(diff.crossTenant)
        #expect(diff.matchedBy == "display_name")
        #expect(diff.changed.map(\.displayName) == ["Baseline"])
        #expect(diff.added.map(\.displayName) == ["New"])
        #expect(diff.removed.map(\.displayName) == ["Only here"])
        let same = try await BackupDiff.compare(from: a, to: a, store: fixture.backups, registry: registry)
        #expect(!same.crossTenant)
        #expect(same.unchanged == 2)
    }
}
