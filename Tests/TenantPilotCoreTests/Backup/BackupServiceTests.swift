import Foundation
import GRDB
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// Sync and backup through real HTTP against the simulator: what a set holds, what diff and
/// export show, and what an unchanged tenant's second backup costs.
@Suite struct BackupServiceTests {
    struct Harness {
        let folder = TemporaryDirectory()
        let store: Store
        let tenant: Tenant
        let registry: PolicyTypeRegistry

        init() async throws {
            store = try await Store.open(path: folder.file("tp.sqlite"))
            registry = try PolicyTypeRegistry.load(environment: [:])
            let request = try NewTenant(
                name: "sim", tenantId: simulatedTenant, clientId: "client-app", secretEnv: "TP_TEST_SECRET",
                secretFile: nil,
                graphURL: "http://127.0.0.1:1", authorityURL: "http://127.0.0.1:1")
            tenant = try await TenantService(store: store).add(request, actor: "admin", at: Date())
        }

        func types(_ keys: [String]) -> [PolicyType] { keys.compactMap { registry.type(forKey: $0) } }

        func backup(_ simulator: GraphSimulator, _ keys: [String]) async -> BackupOutcome {
            let service = BackupService(store: store) { _ in makeClient(simulator) }
            return await service.backup(
                tenant: tenant, types: types(keys), scheduleId: nil, runId: nil, actor: "admin", at: Date(),
                progress: nil)
        }

        func payloads(_ setId: Int64) async throws -> [String: JSONValue] {
            let sets = BackupSetStore(store: store)
            let detail = try #require(try await sets.set(id: setId))
            var result: [String: JSONValue] = [:]
            for item in detail.items {
                result[item.typeKey + "/" + item.graphId] = try await sets.payload(sha256: item.sha256)
            }
            return result
        }

        func gonePolicies() throws -> [String] {
            try store.writer.read { db in
                try String.fetchAll(
                    db, sql: "SELECT policy_type || '/' || graph_id FROM policies WHERE gone_at IS NOT NULL")
            }
        }

        func checkpoint() throws {
            try store.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }

        func payloadBytes() throws -> Int {
            try store.writer.read { db in
                try Int.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM backup_payloads") ?? 0
            }
        }
    }

    @Test func aSetHoldsEveryPageOfEverySubResourceAndWhatOnlyAGetByIdReturns() async throws {
        let harness = try await Harness()
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 1, "groupPolicyConfiguration": 1, "deviceManagementScript": 1],
            settingsPerPolicy: 60, assignmentsPerPolicy: 12)
        try await withSimulator(simulatorConfiguration(spec, pageSize: 5)) { simulator in
            let outcome = await harness.backup(
                simulator, ["settingsCatalogPolicy", "groupPolicyConfiguration", "deviceManagementScript"])
            #expect(outcome.fatal == nil)
            #expect(outcome.failedTypes.isEmpty)
            let setId = try #require(outcome.backupSetId)
            let payloads = try await harness.payloads(setId)
            #expect(payloads.count == 3)
            let settings = try #require(payloads.first { $0.key.hasPrefix("settingsCatalogPolicy/") }?.value)
            #expect(settings["settings"]?.arrayValue?.count == 60)
            #expect(settings["assignments"]?.arrayValue?.count == 12)
            let script = try #require(payloads.first { $0.key.hasPrefix("deviceManagementScript/") }?.value)
            #expect(script["scriptContent"]?.stringValue?.isEmpty == false)
            let groupPolicy = try #require(payloads.first { $0.key.hasPrefix("groupPolicyConfiguration/") }?.value)
            let definitionValues = try #require(groupPolicy["definitionValues"]?.arrayValue)
            #expect(!definitionValues.isEmpty)
            #expect(definitionValues.allSatisfy { $0["presentationValues"]?.arrayValue != nil })
            // Nothing is left of Graph's paging in what is stored.
            let stored = String(decoding: try #require(payloads.first?.value).canonicalData(), as: UTF8.self)
            #expect(!stored.contains("@odata.nextLink"))
        }
    }

    @Test func syncReportsNewUpdatedAndGonePoliciesAndDiffShowsExactlyTheChanges() async throws {
        let harness = try await Harness()
        let keys = ["deviceConfiguration", "deviceCompliancePolicy", "assignmentFilter"]
        try await withSimulator(
            simulatorConfiguration(.counts(Dictionary(uniqueKeysWithValues: keys.map { ($0, 6) })), pageSize: 4)
        ) { simulator in
            let first = try #require(await harness.backup(simulator, keys).backupSetId)
            let mutation = try simulator.mutate(tenant: simulatedTenant, changed: 3, added: 2, deleted: 1)
            let second = try #require(await harness.backup(simulator, keys).backupSetId)

            let diff = try await BackupDiff.compare(
                from: first, to: second, store: BackupSetStore(store: harness.store), registry: harness.registry)
            func ids(_ entries: [BackupDiff.Entry]) -> Set<String> { Set(entries.map { $0.type + "/" + $0.graphId }) }
            func ids(_ policies: [SimulatedMutation.Policy]) -> Set<String> {
                Set(policies.filter { keys.contains($0.type) }.map { $0.type + "/" + $0.id })
            }
            #expect(ids(diff.added) == ids(mutation.added))
            #expect(ids(diff.removed) == ids(mutation.deleted))
            #expect(ids(diff.changed) == ids(mutation.changed))
            #expect(diff.unchanged == 18 - ids(mutation.deleted).count - ids(mutation.changed).count)

            let gone = try harness.gonePolicies()
            #expect(Set(gone) == ids(mutation.deleted))

            // A third backup of the unchanged tenant differs from the second in nothing.
            let third = try #require(await harness.backup(simulator, keys).backupSetId)
            let none = try await BackupDiff.compare(
                from: second, to: third, store: BackupSetStore(store: harness.store), registry: harness.registry)
            #expect(none.added.isEmpty && none.removed.isEmpty && none.changed.isEmpty)
        }
    }

    @Test func diffIgnoresVolatileFieldsAndArrayOrder() throws {
        let volatile = ["lastModifiedDateTime", "version"]
        let before: JSONValue = .object([
            "displayName": .string("A"), "version": .int(1), "lastModifiedDateTime": .string("2026-01-01T00:00:00Z"),
            "assignments": .array([.object(["id": .string("x")]), .object(["id": .string("y")])]),
        ])
        let reordered: JSONValue = .object([
            "displayName": .string("A"), "version": .int(7), "lastModifiedDateTime": .string("2026-02-01T00:00:00Z"),
            "assignments": .array([.object(["id": .string("y")]), .object(["id": .string("x")])]),
        ])
        let renamed: JSONValue = .object([
            "displayName": .string("B"), "version": .int(1), "lastModifiedDateTime": .string("2026-01-01T00:00:00Z"),
            "assignments": .array([.object(["id": .string("x")]), .object(["id": .string("y")])]),
        ])
        #expect(
            BackupDiff.normalized(before, volatile: volatile) == BackupDiff.normalized(reordered, volatile: volatile))
        #expect(BackupDiff.normalized(before, volatile: volatile) != BackupDiff.normalized(renamed, volatile: volatile))
    }

    @Test func aSecondBackupOfAnUnchangedTenantAddsAlmostNothing() async throws {
        let harness = try await Harness()
        let keys = ["settingsCatalogPolicy", "deviceConfiguration", "groupPolicyConfiguration"]
        try await withSimulator(
            simulatorConfiguration(.counts(Dictionary(uniqueKeysWithValues: keys.map { ($0, 20) })))
        ) { simulator in
            _ = try #require(await harness.backup(simulator, keys).backupSetId)
            try harness.checkpoint()
            let payloadsAfterFirst = try harness.payloadBytes()
            let fileAfterFirst = try Int(
                FileManager.default.attributesOfItem(atPath: harness.store.path)[.size] as? UInt64 ?? 0)
            _ = try #require(await harness.backup(simulator, keys).backupSetId)
            try harness.checkpoint()
            let fileAfterSecond = try Int(
                FileManager.default.attributesOfItem(atPath: harness.store.path)[.size] as? UInt64 ?? 0)
            #expect(try harness.payloadBytes() == payloadsAfterFirst)
            #expect(
                Double(fileAfterSecond - fileAfterFirst) < 0.05 * Double(fileAfterFirst),
                "\(fileAfterFirst) → \(fileAfterSecond)")
        }
    }

    @Test func exportWritesFileSafeNamesForAnyDisplayName() async throws {
        let harness = try await Harness()
        try await withSimulator(simulatorConfiguration(.counts(["deviceConfiguration": 4]))) { simulator in
            let ids = simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration")
            let names = [
                "Win/10: baseline", "Ünïcødé ✓ 設定", String(repeating: "long name ", count: 30), "../../etc/passwd",
            ]
            for (id, name) in zip(ids, names) {
                try simulator.updatePolicy(
                    tenant: simulatedTenant, type: "deviceConfiguration", id: id, fields: ["displayName": .string(name)]
                )
            }
            let setId = try #require(await harness.backup(simulator, ["deviceConfiguration"]).backupSetId)
            let out = harness.folder.url.appendingPathComponent("export")
            let files = try await BackupExporter(store: BackupSetStore(store: harness.store)).export(
                setId: setId, to: out, force: false, actor: "admin", at: Date()
            ).files
            #expect(files.count == 4)
            for file in files {
                #expect(file.deletingLastPathComponent().lastPathComponent == "deviceConfiguration")
                #expect(file.deletingLastPathComponent().deletingLastPathComponent().path == out.path)
                #expect(file.lastPathComponent.utf8.count <= 255)
                #expect(!file.lastPathComponent.contains(":"))
                #expect(file.lastPathComponent.hasSuffix(".json"))
                let payload = try JSONValue.parse(try Data(contentsOf: file))
                #expect(payload["id"]?.stringValue.map { file.lastPathComponent.contains($0) } == true)
            }
            #expect(files.contains { $0.lastPathComponent.hasPrefix("Ünïcødé ✓ 設定__") })
            #expect(files.contains { $0.lastPathComponent.hasPrefix("Win_10_ baseline__") })
        }
    }

    /// A Graph double: one type lists three policies, one of which is deleted before its
    /// capture (404); another type's collection does not exist (404).
    struct VanishingGraph: GraphClient {
        func listPolicies(of type: PolicyType) async throws(TenantPilotError) -> [JSONValue] {
            if type.key == "roleScopeTag" {
                throw TenantPilotError.failed(
                    "Graph found no role scope tags (HTTP 404)", code: ErrorCode.graphNotFound)
            }
            return ["a", "b", "c"].map { .object(["id": .string($0), "displayName": .string("Policy \($0)")]) }
        }

        func capturePolicies(of type: PolicyType, listed: [JSONValue]) async -> [String: Result<
            JSONValue, TenantPilotError
        >] {
            var payloads: [String: Result<JSONValue, TenantPilotError>] = [:]
            for policy in listed {
                guard let id = policy["id"]?.stringValue else { continue }
                payloads[id] =
                    id == "b"
                    ? .failure(.failed("Graph found no policy b (HTTP 404)", code: ErrorCode.graphNotFound))
                    : .success(policy)
            }
            return payloads
        }
    }

    @Test func aPolicyDeletedDuringCaptureIsGoneNotFailedAndAMissingCollectionIsABadResponse() async throws {
        let harness = try await Harness()
        let service = BackupService(store: harness.store) { _ in VanishingGraph() }
        let outcome = await service.backup(
            tenant: harness.tenant, types: harness.types(["deviceConfiguration", "roleScopeTag"]), scheduleId: nil,
            runId: nil,
            actor: "admin", at: Date(), progress: nil)
        #expect(outcome.items == 2)
        #expect(outcome.failedItems == 0)
        #expect(outcome.failedTypes.map(\.key) == ["roleScopeTag"])
        #expect(outcome.failedTypes.first?.error.code.rawValue == "GRAPH_BAD_RESPONSE")
        let setId = try #require(outcome.backupSetId)
        #expect(try await harness.payloads(setId).keys.sorted() == ["deviceConfiguration/a", "deviceConfiguration/c"])
    }
}
