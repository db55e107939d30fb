import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

@Suite struct BackupSetStoreTests {
    @Test func aSetBeingWrittenIsListedOnlyOnceCompleted() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant)
        let store = fixture.backups
        let id = try await store.beginSet(tenantId: tenant, scheduleId: schedule, runId: 7, at: BackupTestStore.t0)
        try await store.addItems(setId: id, items: SamplePolicies.items(3))

        #expect(try await store.listSets().isEmpty)
        #expect(try await store.set(id: id) == nil)

        try await store.completeSet(setId: id, status: .partial, at: BackupTestStore.t0.addingTimeInterval(30))
        let listed = try await store.listSets()
        #expect(listed.map(\.id) == [id])
        #expect(listed.first?.status == .partial)
        #expect(listed.first?.itemCount == 3)
        #expect(listed.first?.runId == 7)
        #expect(listed.first?.tenantName == "contoso")
        #expect(listed.first?.scheduleName == "nightly")
        #expect(listed.first?.createdAt == Instant(BackupTestStore.t0))
    }

    @Test func detailListsItemsWithTheHashOfTheirPayload() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let items = SamplePolicies.items(2)
        let id = try await fixture.makeSet(tenantId: tenant, scheduleId: nil, items: items)

        let detail = try #require(try await fixture.backups.set(id: id))
        #expect(detail.items.map(\.graphId) == items.map(\.graphId))
        #expect(detail.summary.scheduleId == nil)
        for (record, item) in zip(detail.items, items) {
            #expect(record.sha256 == PayloadHash.sha256Hex(item.payload.canonicalData()))
            #expect(try await fixture.backups.payload(sha256: record.sha256) == item.payload)
        }
        #expect(try await fixture.backups.payload(sha256: String(repeating: "0", count: 64)) == nil)
    }

    @Test func equalPayloadsAreStoredOnceWhateverTheirKeyOrder() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let first: JSONValue = .object(["a": .int(1), "b": .array([.string("x"), .null])])
        let sameContent = try JSONValue.parse(Data(#"{"b":["x",null],"a":1}"#.utf8))
        try await fixture.makeSet(
            tenantId: tenant, scheduleId: nil,
            items: [
                NewBackupItem(typeKey: "roleScopeTag", graphId: "1", displayName: "one", payload: first),
                NewBackupItem(typeKey: "roleScopeTag", graphId: "2", displayName: "two", payload: sameContent),
            ])
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 1)
        #expect(try fixture.count("SELECT count(*) FROM backup_items") == 2)
        #expect(try fixture.count("SELECT count(DISTINCT payload_id) FROM backup_item_versions") == 1)
    }

    /// docs/architecture.md: a backup of an unchanged tenant costs almost no space. What it still costs is one
    /// `backup_items` row of three integers per policy with its index entry (a few tens of bytes);
    /// with these payloads (about 5.8 KB on average) that is under 1 % of the first set.
    @Test func aSecondUnchangedBackupAddsNoPayloadBytes() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant)
        try fixture.checkpoint()
        let empty = try fixture.databaseBytes()
        let policies = SamplePolicies.items(300)

        try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: policies, day: 0)
        try fixture.checkpoint()
        let afterFirst = try fixture.databaseBytes()
        let payloadBytesFirst = try fixture.count("SELECT sum(size) FROM backup_payloads")

        try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: policies, day: 1)
        try fixture.checkpoint()
        let afterSecond = try fixture.databaseBytes()
        let payloadBytesSecond = try fixture.count("SELECT sum(size) FROM backup_payloads")

        #expect(payloadBytesFirst > 300 * 2_000)
        #expect(payloadBytesSecond == payloadBytesFirst)
        let firstGrowth = afterFirst - empty
        let secondGrowth = afterSecond - afterFirst
        #expect(secondGrowth > 0, "the second set's item rows take some space")
        #expect(
            Double(secondGrowth) < 0.01 * Double(firstGrowth), "first set \(firstGrowth) B, second \(secondGrowth) B")
    }

    @Test func listingFiltersByTenantAndScheduleNewestFirstAndNamesRemovedSchedules() async throws {
        let fixture = try await BackupTestStore()
        let contoso = try fixture.addTenant("contoso")
        let fabrikam = try fixture.addTenant("fabrikam")
        let nightly = try fixture.addSchedule(tenantId: contoso, name: "nightly")
        let weekly = try fixture.addSchedule(tenantId: contoso, name: "weekly")
        let items = SamplePolicies.items(1)
        let a = try await fixture.makeSet(tenantId: contoso, scheduleId: nightly, items: items)
        let b = try await fixture.makeSet(tenantId: contoso, scheduleId: weekly, items: items)
        let c = try await fixture.makeSet(tenantId: fabrikam, scheduleId: nil, items: items)
        let d = try await fixture.makeSet(tenantId: contoso, scheduleId: nightly, items: items)
        try fixture.removeSchedule(weekly)

        let store = fixture.backups
        #expect(try await store.listSets().map(\.id) == [d, c, b, a])
        #expect(try await store.listSets(tenantId: contoso).map(\.id) == [d, b, a])
        #expect(try await store.listSets(tenantId: fabrikam).map(\.id) == [c])
        #expect(try await store.listSets(scheduleId: nightly).map(\.id) == [d, a])
        let fromWeekly = try #require(try await store.listSets(scheduleId: weekly).first)
        #expect(fromWeekly.scheduleRemoved)
        #expect(fromWeekly.scheduleName == "weekly")
        #expect(try await store.listSets(tenantId: fabrikam).first?.scheduleRemoved == false)
    }

    @Test func itemsAreWrittenInBatchesAndOnlyIntoASetBeingWritten() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let store = BackupSetStore(store: fixture.store, batchSize: 2)
        let id = try await store.beginSet(tenantId: tenant, scheduleId: nil, runId: nil, at: BackupTestStore.t0)
        try await store.addItems(setId: id, items: SamplePolicies.items(5))
        await #expect(throws: TenantPilotError.self) {
            try await store.addItems(setId: id, items: [SamplePolicies.item(4)])
        }
        try await store.completeSet(setId: id, status: .complete, at: BackupTestStore.t0)
        #expect(try await store.set(id: id)?.summary.itemCount == 5)

        do {
            try await store.addItems(setId: id, items: [SamplePolicies.item(9)])
            Issue.record("adding to a completed set must fail")
        } catch {
            #expect(error.code.rawValue == "BACKUP_SET_CLOSED")
        }
        do {
            try await store.completeSet(setId: id, status: .partial, at: BackupTestStore.t0)
            Issue.record("completing twice must fail")
        } catch {
            #expect(error.code.rawValue == "BACKUP_SET_CLOSED")
        }
        #expect(try await store.set(id: id)?.summary.status == .complete)
    }

    @Test func aDuplicateItemIsReportedAndItsBatchIsNotWritten() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let store = fixture.backups
        let id = try await store.beginSet(tenantId: tenant, scheduleId: nil, runId: nil, at: BackupTestStore.t0)
        do {
            try await store.addItems(
                setId: id, items: [SamplePolicies.item(1), SamplePolicies.item(2), SamplePolicies.item(1)])
            Issue.record("a duplicate item must fail")
        } catch {
            #expect(error.code.rawValue == "DUPLICATE_BACKUP_ITEM")
        }
        #expect(try fixture.count("SELECT count(*) FROM backup_items") == 0)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 0)
    }

    @Test func aPolicyIsUniqueInASetWhateverItsDisplayNameOrPayload() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let id = try await fixture.backups.beginSet(
            tenantId: tenant, scheduleId: nil, runId: nil, at: BackupTestStore.t0)
        var renamed = SamplePolicies.item(1, revision: 1)
        renamed.displayName += " (renamed)"
        do {
            try await fixture.backups.addItems(setId: id, items: [SamplePolicies.item(1), renamed])
            Issue.record("the same type and Graph id twice in a set must fail")
        } catch {
            #expect(error.code.rawValue == "DUPLICATE_BACKUP_ITEM")
        }
        // The same Graph id under another type is another policy.
        try await fixture.backups.addItems(
            setId: id, items: [SamplePolicies.item(1), SamplePolicies.item(1, type: "settingsCatalogPolicy")])
        #expect(try fixture.count("SELECT count(*) FROM backup_items WHERE backup_set_id = ?", [id]) == 2)
    }

    /// A renamed or changed policy gets a new version in the next set; each set reads back what
    /// it captured, and deleting the older set removes only what nothing else references.
    @Test func eachSetKeepsItsOwnDisplayNameAndPayloadOfAPolicy() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant)
        let before = SamplePolicies.items(2)
        var after = [SamplePolicies.item(0), SamplePolicies.item(1, revision: 1)]
        after[0].displayName = "Renamed"
        let first = try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: before, day: 0)
        let second = try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: after, day: 1)

        func records(_ id: Int64) async throws -> [BackupItemRecord] {
            try #require(try await fixture.backups.set(id: id)).items
        }
        #expect(try await records(first).map(\.displayName).sorted() == before.map(\.displayName).sorted())
        #expect(try await records(second).map(\.displayName).contains("Renamed"))
        #expect(
            try await Set(records(second).map(\.sha256))
                == Set(after.map { PayloadHash.sha256Hex($0.payload.canonicalData()) }))
        #expect(try fixture.count("SELECT count(*) FROM backup_item_keys") == 2)
        #expect(try fixture.count("SELECT count(*) FROM backup_item_versions") == 4)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 3)

        _ = try fixture.store.writer.write { db in
            try BackupSetDeletion.delete(SQLiteTransaction(db: db), setIds: [first])
        }
        #expect(try fixture.count("SELECT count(*) FROM backup_item_keys") == 2)
        #expect(try fixture.count("SELECT count(*) FROM backup_item_versions") == 2)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 2)
        #expect(try await records(second).count == 2)

        _ = try fixture.store.writer.write { db in
            try BackupSetDeletion.delete(SQLiteTransaction(db: db), setIds: [second])
        }
        for table in ["backup_items", "backup_item_versions", "backup_item_keys", "backup_payloads"] {
            #expect(try fixture.count("SELECT count(*) FROM \(table)") == 0, "\(table)")
        }
    }

    @Test func abandonedSetsAreDiscardedWithTheirOrphanPayloadsOnly() async throws {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let schedule = try fixture.addSchedule(tenantId: tenant)
        let shared = SamplePolicies.items(2)
        let kept = try await fixture.makeSet(tenantId: tenant, scheduleId: schedule, items: shared, runId: 1)
        let abandoned = try await fixture.makeSet(
            tenantId: tenant, scheduleId: schedule, items: shared + [SamplePolicies.item(50)], status: nil, day: 1,
            runId: 2)
        let recent = try await fixture.makeSet(
            tenantId: tenant, scheduleId: schedule, items: [SamplePolicies.item(60)], status: nil, day: 3, runId: 3)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 4)

        // A finished set of the run is never discarded.
        #expect(try await fixture.backups.discardBuildingSets(forRunIds: [1]) == 0)
        #expect(try await fixture.backups.discardBuildingSets(forRunIds: [2]) == 1)
        #expect(try fixture.count("SELECT count(*) FROM backup_sets WHERE id = ?", [abandoned]) == 0)
        #expect(try fixture.count("SELECT count(*) FROM backup_items WHERE backup_set_id = ?", [abandoned]) == 0)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 3)
        #expect(try await fixture.backups.set(id: kept)?.items.count == 2)

        let cutoff = BackupTestStore.t0.addingTimeInterval(2 * 86_400)
        #expect(try await fixture.backups.discardBuildingSets(olderThan: cutoff) == 0)
        #expect(try await fixture.backups.discardBuildingSets(olderThan: cutoff.addingTimeInterval(2 * 86_400)) == 1)
        #expect(try fixture.count("SELECT count(*) FROM backup_sets WHERE id = ?", [recent]) == 0)
        #expect(try fixture.count("SELECT count(*) FROM backup_payloads") == 2)
    }
}
