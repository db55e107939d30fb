import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// `drift` against the simulator: what changed since a set, property by property, and what is
/// not a change (assignments in another order).
@Suite struct DriftServiceTests {
    final class Observed: DriftObserving, @unchecked Sendable {
        private let lock = NSLock()
        private var checks: [DriftReport.Check] = []
        var count: Int { lock.withLock { checks.count } }
        func drifted(_ check: DriftReport.Check, tenantId: Int64, scheduleId: Int64?) async {
            lock.withLock { checks.append(check) }
        }
    }

    func service(_ harness: RestoreHarness, observer: (any DriftObserving)? = nil) -> DriftService {
        DriftService(store: harness.store, registry: harness.registry, observer: observer) {
            (tenant: Tenant) throws(TenantPilotError) -> any GraphClient in
            try harness.client(tenant)
        }
    }

    @Test func changesAdditionsAndDeletionsAreNamedWithTheirPropertiesAndNothingIsStored() async throws {
        try await withSimulator(
            RestoreHarness.configuration(.counts(["deviceConfiguration": 3, "settingsCatalogPolicy": 2]))
        ) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let ids = simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration")
            try simulator.updatePolicy(
                tenant: simulatedTenant, type: "deviceConfiguration", id: ids[0],
                fields: ["passwordMinimumLength": .int(42)])
            try simulator.deletePolicy(tenant: simulatedTenant, type: "deviceConfiguration", id: ids[1])
            let added = try simulator.addPolicy(tenant: simulatedTenant, type: "settingsCatalogPolicy")
            let sets = try await BackupSetStore(store: harness.store).listSets().count
            let observed = Observed()

            let report = try await service(harness, observer: observed).check(.tenant("contoso"))
            #expect(report.drift)
            #expect(report.exitCode == 5)
            let check = try #require(report.checks.first)
            #expect(check.against == setId)
            #expect(check.added.map(\.graphId) == [added])
            #expect(check.removed.map(\.graphId) == [ids[1]])
            let changed = try #require(check.changed.first)
            #expect(check.changed.count == 1 && changed.graphId == ids[0])
            let change = try #require(changed.changes.first { $0.path == "passwordMinimumLength" })
            #expect(change.new == .int(42))
            #expect(change.old != .int(42))
            #expect(!changed.changes.contains { $0.path == "lastModifiedDateTime" }, "volatile fields are not drift")
            #expect(observed.count == 1, "the drift observer (the hook's integration point) hears of it")
            #expect(try await BackupSetStore(store: harness.store).listSets().count == sets, "drift stores no set")
        }
    }

    @Test func assignmentsInAnotherOrderAreNoDrift() async throws {
        try await withSimulator(
            RestoreHarness.configuration(
                SimulatedTenantSpec(
                    counts: ["deviceConfiguration": 2, "settingsCatalogPolicy": 1], assignmentsPerPolicy: 5))
        ) { simulator in
            let harness = try await RestoreHarness(simulator)
            _ = try await harness.backup(harness.source)
            for key in ["deviceConfiguration", "settingsCatalogPolicy"] {
                for id in simulator.policyIDs(tenant: simulatedTenant, type: key) {
                    try simulator.updatePolicy(tenant: simulatedTenant, type: key, id: id) { policy in
                        policy.subresources["assignments"]?.reverse()
                        policy.subresources["settings"]?.reverse()
                    }
                }
            }
            let report = try await service(harness).check(.tenant("contoso"))
            #expect(!report.drift, "\(report.checks.flatMap(\.changed).flatMap(\.changes))")
            #expect(report.exitCode == 0)

            let id = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").first)
            try simulator.updatePolicy(tenant: simulatedTenant, type: "deviceConfiguration", id: id) { policy in
                policy.subresources["assignments"]?.removeLast()
            }
            let after = try await service(harness).check(.tenant("contoso"))
            let changes = after.checks.flatMap(\.changed).flatMap(\.changes)
            #expect(
                changes.count == 1 && changes.first?.path == "assignments[]" && changes.first?.new == .null,
                "\(changes)")
        }
    }

    @Test func aTenantWithoutASetCannotBeCheckedAndUnknownNamesAreBadInput() async throws {
        try await withSimulator(RestoreHarness.configuration(.counts(["deviceConfiguration": 1]))) { simulator in
            let harness = try await RestoreHarness(simulator)
            let report = try await service(harness).check(.tenant("fabrikam"))
            #expect(report.exitCode == 1)
            #expect(report.checks.first?.error?.code.rawValue == "NO_BACKUP_SET")
            for subject in [
                DriftService.Subject.tenant("nobody"), .schedule(.name(tenant: "contoso", schedule: "nope")),
            ] {
                let error = await caught { try await service(harness).check(subject) }
                #expect(error?.kind == .invalidInput)
            }
            let error = await caught { try await service(harness).check(.tenant("contoso"), against: 77) }
            #expect(error?.kind == .invalidInput && error?.message.contains("77") == true)
        }
    }
}
