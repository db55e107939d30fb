import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

@Suite struct RetentionServiceTests {
    let now = BackupTestStore.t0.addingTimeInterval(100 * 86_400)

    /// Five sets of one schedule, each with one policy of its own and one shared by all.
    private func fiveSets(
        _ fixture: BackupTestStore, tenant: Int64, schedule: Int64,
        statuses: [BackupSetOutcome] = Array(repeating: .complete, count: 5)
    ) async throws -> [Int64] {
        try await statuses.enumerated().asyncMap { day, status in
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule,
                items: [SamplePolicies.item(0), SamplePolicies.item(100 + day)], status: status, day: day)
        }
    }

    private func auditEntries(_ fixture: BackupTestStore) throws -> [AuditEntry] {
        try fixture.store.writer.read { db in
            try AuditEntry.filter(Column("action") == RetentionService.auditAction).fetchAll(db)
        }
    }

    @Test func keepLastThreeOverFiveSetsLeavesTheNewestThree() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 3)
        let ids = try await fiveSets(fixture, tenant: tenant, schedule: schedule)

        let report = try await RetentionService(store: fixture.store).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)

        #expect(try await fixture.backups.listSets(scheduleId: schedule).map(\.id) == Array(ids.suffix(3).reversed()))
        let entry = try #require(report.schedules.first)
        #expect(report.schedules.count == 1)
        #expect(entry.sets.map(\.setId) == ids.reversed())
        #expect(entry.sets.map(\.action) == [.keep, .keep, .keep, .delete, .delete])
        #expect(entry.sets[0].reasons == ["within newest 3", "newest complete set"])
        #expect(entry.sets[1].reason == "within newest 3")
        #expect(entry.sets[4].reason == "older than the newest 3")
        #expect(entry.setsDeleted == 2)
        #expect(entry.payloadsRemoved == 2)
        #expect(
            entry.bytesFreed
                == Int64(
                    SamplePolicies.item(100).payload.canonicalData().count
                        + SamplePolicies.item(101).payload.canonicalData().count))
        #expect(
            try fixture.count("SELECT count(*) FROM backup_items WHERE backup_set_id IN (?, ?)", [ids[0], ids[1]]) == 0)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 4)

        let audit = try auditEntries(fixture)
        #expect(audit.count == 1)
        #expect(audit.first?.actor == "alice")
        #expect(audit.first?.resourceType.rawValue == "backup_schedule")
        #expect(audit.first?.resourceId == String(schedule))
        #expect(audit.first?.tenantId == tenant)
        #expect(audit.first?.createdAt.text == ISO8601.string(now))
        let metadata = try #require(audit.first?.metadata)
        #expect(metadata["sets_deleted"] == .int(2))
        #expect(metadata["payloads_removed"] == .int(2))

        // Applying again deletes nothing more, and says so in the audit log.
        let again = try await RetentionService(store: fixture.store).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)
        #expect(again.setsDeleted == 0)
        #expect(try auditEntries(fixture).count == 2)
    }

    @Test func otherSchedulesAndHandMadeSetsAreNeverTouched() async throws {
        let fixture = try await BackupTestStore()
        let contoso = try fixture.addTenant("contoso")
        let fabrikam = try fixture.addTenant("fabrikam")
        let pruned = try fixture.addSchedule(tenantId: contoso, name: "nightly", keepLast: 1)
        let other = try fixture.addSchedule(tenantId: contoso, name: "weekly", keepLast: 5)
        let elsewhere = try fixture.addSchedule(tenantId: fabrikam, name: "nightly", keepLast: 1)
        // The hand-made and other-schedule sets are the OLDEST sets of the tenant.
        let handMade = try await (0..<3).asyncMap { day in
            try await fixture.makeSet(tenantId: contoso, scheduleId: nil, items: [SamplePolicies.item(day)], day: day)
        }
        let otherSets = try await (0..<3).asyncMap { day in
            try await fixture.makeSet(
                tenantId: contoso, scheduleId: other, items: [SamplePolicies.item(10 + day)], day: day)
        }
        let prunedSets = try await fiveSets(fixture, tenant: contoso, schedule: pruned)
        let elsewhereSets = try await (0..<2).asyncMap { day in
            try await fixture.makeSet(
                tenantId: fabrikam, scheduleId: elsewhere, items: [SamplePolicies.item(20 + day)], day: day)
        }

        let report = try await RetentionService(store: fixture.store).apply(
            scheduleId: pruned, dryRun: false, actor: "alice", at: now)

        #expect(report.setsDeleted == 4)
        let remaining = Set(try await fixture.backups.listSets().map(\.id))
        #expect(remaining == Set(handMade + otherSets + elsewhereSets + [prunedSets[4]]))
        for id in handMade + otherSets + elsewhereSets {
            #expect(try await fixture.backups.set(id: id)?.items.count == 1)
        }

        // All schedules at once: each by its own keep_last, hand-made sets still untouched.
        let all = try await RetentionService(store: fixture.store).apply(
            scheduleId: nil, dryRun: false, actor: "alice", at: now)
        #expect(all.schedules.map(\.scheduleId) == [pruned, other, elsewhere])
        #expect(all.schedules.map(\.setsDeleted) == [0, 0, 1])
        #expect(
            Set(try await fixture.backups.listSets().map(\.id))
                == Set(handMade + otherSets + [elsewhereSets[1], prunedSets[4]]))
    }

    @Test func aDryRunChangesNothingAndWritesNoAudit() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let first = try fixture.addSchedule(tenantId: tenant, name: "a", keepLast: 2)
        let second = try fixture.addSchedule(tenantId: tenant, name: "b", keepLast: 1)
        _ = try await fiveSets(fixture, tenant: tenant, schedule: first)
        // The second schedule's old set shares a payload with one of the first's old sets only:
        // it becomes an orphan when the second schedule is applied, after the first.
        try await fixture.makeSet(tenantId: tenant, scheduleId: second, items: [SamplePolicies.item(100)], day: 1)
        try await fixture.makeSet(tenantId: tenant, scheduleId: second, items: [SamplePolicies.item(7)], day: 2)
        try fixture.checkpoint()
        let fileBefore = try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        let walBefore = try? Data(contentsOf: URL(fileURLWithPath: fixture.path + "-wal"))

        let dry = try await RetentionService(store: fixture.store).apply(
            scheduleId: nil, dryRun: true, actor: "alice", at: now)

        #expect(dry.dryRun)
        #expect(dry.setsDeleted == 4)
        #expect(dry.pagesReclaimed == 0)
        #expect(try fixture.count("SELECT count(*) FROM backup_sets") == 7)
        #expect(try fixture.count("SELECT count(*) FROM audit_logs") == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path)) == fileBefore)
        #expect((try? Data(contentsOf: URL(fileURLWithPath: fixture.path + "-wal"))) == walBefore)

        // The real run does exactly what the dry run said, payload counts included.
        let real = try await RetentionService(store: fixture.store).apply(
            scheduleId: nil, dryRun: false, actor: "alice", at: now)
        #expect(real.schedules.map(\.sets) == dry.schedules.map(\.sets))
        #expect(real.schedules.map(\.payloadsRemoved) == dry.schedules.map(\.payloadsRemoved))
        #expect(real.schedules.map(\.bytesFreed) == dry.schedules.map(\.bytesFreed))
        #expect(real.schedules.map(\.payloadsRemoved) == [2, 1])
    }

    /// A payload that the old sets of two tenants' schedules share goes with the second
    /// schedule applied, in a dry run as in the real run: the dry run counts every schedule
    /// planned before, whatever its tenant.
    @Test func aPayloadSharedAcrossTenantsIsCountedWithTheLastScheduleThatFreesIt() async throws {
        let fixture = try await BackupTestStore()
        let first = try fixture.addSchedule(tenantId: try fixture.addTenant("a"), name: "a", keepLast: 1)
        let second = try fixture.addSchedule(tenantId: try fixture.addTenant("b"), name: "b", keepLast: 1)
        for (schedule, tenant) in [(first, Int64(1)), (second, Int64(2))] {
            try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(1)], day: 1)
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(1, revision: 1)], day: 2)
        }
        let service = RetentionService(store: fixture.store)
        let dry = try await service.apply(scheduleId: nil, dryRun: true, actor: "alice", at: now)
        let real = try await service.apply(scheduleId: nil, dryRun: false, actor: "alice", at: now)
        #expect(real.schedules.map(\.payloadsRemoved) == [0, 1])
        #expect(dry.schedules.map(\.payloadsRemoved) == real.schedules.map(\.payloadsRemoved))
        #expect(dry.schedules.map(\.bytesFreed) == real.schedules.map(\.bytesFreed))
    }

    @Test func theNewestCompleteSetSurvivesBehindNewerPartialSets() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 3)
        let ids = try await fiveSets(
            fixture, tenant: tenant, schedule: schedule, statuses: [.complete, .complete, .partial, .partial, .partial])

        let report = try await RetentionService(store: fixture.store).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)

        #expect(try await fixture.backups.listSets(scheduleId: schedule).map(\.id) == [ids[4], ids[3], ids[2], ids[1]])
        let decision = try #require(report.schedules.first?.sets.first { $0.setId == ids[1] })
        #expect(decision.action == .keep)
        #expect(decision.reasons == ["newest complete set"])
        #expect(report.schedules.first?.sets.first { $0.setId == ids[0] }?.action == .delete)
    }

    @Test func setsBeingWrittenAreNeverTouchedNorReported() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 1)
        let oldBuilding = try await fixture.makeSet(
            tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(1)], status: nil, day: 0)
        let finished = try await fiveSets(fixture, tenant: tenant, schedule: schedule)
        let newBuilding = try await fixture.makeSet(
            tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(100)], status: nil, day: 9)

        let report = try await RetentionService(store: fixture.store).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)

        #expect(report.setsDeleted == 4)
        #expect(report.schedules.first?.sets.map(\.setId) == finished.reversed())
        #expect(try fixture.count("SELECT count(*) FROM backup_sets WHERE status = 'building'") == 2)
        for id in [oldBuilding, newBuilding] {
            #expect(try fixture.count("SELECT count(*) FROM backup_items WHERE backup_set_id = ?", [id]) == 1)
        }
        // item(100) belonged to a deleted set too, but the set being written still needs it.
        #expect(
            try await fixture.backups.payload(
                sha256: PayloadHash.sha256Hex(SamplePolicies.item(100).payload.canonicalData())) != nil)
        // And the newest building set can still be completed.
        try await fixture.backups.completeSet(setId: newBuilding, status: .complete, at: now)
    }

    @Test func payloadsSharedWithKeptSetsAreKept() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 1)
        let handMadeSchedule: Int64? = nil
        let old = try await fixture.makeSet(
            tenantId: tenant, scheduleId: schedule,
            items: [SamplePolicies.item(1), SamplePolicies.item(2), SamplePolicies.item(3)], day: 0)
        try await fixture.makeSet(
            tenantId: tenant, scheduleId: handMadeSchedule, items: [SamplePolicies.item(3)], day: 1)
        try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(1)], day: 2)

        let report = try await RetentionService(store: fixture.store).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)

        #expect(report.setsDeleted == 1)
        #expect(report.payloadsRemoved == 1)
        #expect(report.bytesFreed == Int64(SamplePolicies.item(2).payload.canonicalData().count))
        #expect(try await fixture.backups.set(id: old) == nil)
        for index in [1, 3] {
            let sha = PayloadHash.sha256Hex(SamplePolicies.item(index).payload.canonicalData())
            #expect(try await fixture.backups.payload(sha256: sha) == SamplePolicies.item(index).payload)
        }
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 2)
    }

    @Test func anUnknownScheduleIsNotFound() async throws {
        let fixture = try await BackupTestStore()
        do {
            _ = try await RetentionService(store: fixture.store).apply(
                scheduleId: 9, dryRun: false, actor: "alice", at: now)
            Issue.record("an unknown schedule must fail")
        } catch {
            #expect(error.code.rawValue == "NOT_FOUND")
            #expect(error.exitCode == 2)
            #expect(error.message == "no schedule with id 9; see `tenantpilot schedules list`")
        }
    }

    @Test func aRemovedScheduleKeepsEverySet() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 1)
        _ = try await fiveSets(fixture, tenant: tenant, schedule: schedule)
        try fixture.removeSchedule(schedule)

        let all = try await RetentionService(store: fixture.store).apply(
            scheduleId: nil, dryRun: false, actor: "alice", at: now)
        #expect(all.schedules.isEmpty)
        let named = try await RetentionService(store: fixture.store).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)
        #expect(named.schedules.first?.scheduleRemoved == true)
        #expect(named.schedules.first?.sets.allSatisfy { $0.action == .keep } == true)
        #expect(try fixture.count("SELECT count(*) FROM backup_sets") == 5)
        #expect(try auditEntries(fixture).isEmpty)
    }

    @Test func deletingGivesSpaceBackToTheFile() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant, keepLast: 1)
        #expect(try fixture.count("PRAGMA auto_vacuum") == 2)
        for day in 0..<4 {
            try await fixture.makeSet(
                tenantId: tenant, scheduleId: schedule, items: SamplePolicies.items(150, revision: day), day: day)
        }
        try fixture.checkpoint()
        let pagesBefore = try fixture.count("PRAGMA page_count")
        let bytesBefore = try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int ?? 0

        let report = try await RetentionService(store: fixture.store, vacuumStepPages: 16).apply(
            scheduleId: schedule, dryRun: false, actor: "alice", at: now)
        try fixture.checkpoint()

        let pagesAfter = try fixture.count("PRAGMA page_count")
        let bytesAfter = try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int ?? 0
        #expect(report.setsDeleted == 3)
        #expect(report.pagesReclaimed > 0)
        #expect(try fixture.count("PRAGMA freelist_count") == 0)
        #expect(pagesAfter <= pagesBefore - report.pagesReclaimed)
        // Three of four sets of distinct payloads went: the file is well under half its size.
        #expect(bytesAfter < bytesBefore / 2, "before \(bytesBefore) B, after \(bytesAfter) B")
    }
}
