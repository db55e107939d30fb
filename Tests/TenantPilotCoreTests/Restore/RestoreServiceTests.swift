import Foundation
import GRDB
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// Restores through real HTTP against the simulator: plans, applies, and what the tenant holds
/// afterwards, read back as a backup reads it.
@Suite struct RestoreServiceTests {
    @Test func aRestoreAfterDeletesAndChangesPutsTheTenantBackAndASecondApplyWritesNothing() async throws {
        try await withSimulator(RestoreHarness.configuration(.policiesPerType(2))) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let mutation = try simulator.mutate(tenant: simulatedTenant, changed: 12, added: 0, deleted: 8)

            let plan = try await harness.plan(RestoreRequest(setId: setId))
            let deleted = Set(mutation.deleted.map(\.id))
            let creates = plan.actions.filter { $0.kind == .create }
            #expect(!creates.isEmpty)
            #expect(creates.allSatisfy { deleted.contains($0.graphId) }, "\(creates.map(\.graphId))")
            let updates = plan.actions.filter { $0.kind == .update }
            #expect(!updates.isEmpty)
            #expect(updates.allSatisfy { !$0.changes.isEmpty })
            #expect(updates.contains { $0.changes.contains { $0.path == "description" } })
            #expect(plan.actions.contains { $0.kind == .skip && $0.type.key == "policySet" })
            #expect(!plan.actions.contains { $0.kind == .delete }, "nothing is deleted without --prune")

            simulator.resetRequestCounts()
            let applied = try await harness.applied(RestoreRequest(setId: setId))
            let outcome = applied.outcome
            #expect(RestoreHarness.failures(applied).isEmpty, "\(RestoreHarness.failures(applied))")
            #expect(outcome.run.status == .success)
            #expect(outcome.counts.created == creates.count && outcome.counts.updated == updates.count)
            #expect(simulator.requestCounts.refusedWrites == 0, "no read-only property was sent")

            let after = try await harness.backup(harness.source)
            let differences = try await harness.differences(restored: setId, now: after)
            #expect(differences.isEmpty, "\(differences)")

            simulator.resetRequestCounts()
            let again = try await harness.plan(RestoreRequest(setId: setId))
            #expect(
                again.actions.allSatisfy { $0.kind == .unchanged || $0.kind == .skip },
                "\(again.actions.filter(\.writes).map { ($0.type.key, $0.changes) })")
            let second = try await harness.apply(RestoreRequest(setId: setId))
            #expect(second.run.status == .success)
            #expect(second.counts.attempted == 0)
            #expect(simulator.requestCounts.writes == 0)
        }
    }

    @Test func aCrossTenantRestoreIntoAnEmptyTenantMapsGroupsByName() async throws {
        try await withSimulator(
            RestoreHarness.configuration(
                .counts([
                    "deviceConfiguration": 3, "deviceCompliancePolicy": 2, "assignmentFilter": 1, "roleScopeTag": 1,
                    "notificationMessageTemplate": 1, "conditionalAccessPolicy": 1,
                ]))
        ) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let plan = try await harness.plan(RestoreRequest(setId: setId, to: "fabrikam"))
            #expect(plan.crossTenant)
            #expect(plan.actions.allSatisfy { $0.kind == .create || $0.kind == .skip })
            #expect(
                plan.actions.contains {
                    $0.type.key == "conditionalAccessPolicy" && $0.warnings.contains { $0.contains("disabled") }
                })

            let applied = try await harness.applied(RestoreRequest(setId: setId, to: "fabrikam"))
            #expect(applied.outcome.run.status == .success, "\(RestoreHarness.failures(applied))")

            let restored = try await harness.payloads(try await harness.backup(harness.target))
            let original = try await harness.payloads(setId)
            let sourceGroups = Dictionary(
                uniqueKeysWithValues: simulator.groups(tenant: simulatedTenant).map { ($0.id, $0.name) })
            let targetGroups = Dictionary(
                uniqueKeysWithValues: simulator.groups(tenant: simulatedTargetTenant).map { ($0.id, $0.name) })
            var checked = 0
            for (key, payload) in original where key.hasPrefix("deviceConfiguration/") {
                let copy = try #require(restored[key])
                let before = (payload["assignments"]?.arrayValue ?? []).compactMap {
                    $0["target"]?["groupId"]?.stringValue
                }
                let after = (copy["assignments"]?.arrayValue ?? []).compactMap { $0["target"]?["groupId"]?.stringValue }
                #expect(Set(before.compactMap { sourceGroups[$0] }) == Set(after.compactMap { targetGroups[$0] }))
                #expect(after.allSatisfy { targetGroups[$0] != nil }, "every group id is the target's own")
                checked += before.count
            }
            #expect(checked > 0)
            let policy = try #require(restored.first { $0.key.hasPrefix("conditionalAccessPolicy/") }?.value)
            #expect(policy["state"] == .string("disabled"))

            let again = try await harness.plan(RestoreRequest(setId: setId, to: "fabrikam"))
            #expect(
                again.actions.allSatisfy { !$0.writes },
                "\(again.actions.filter(\.writes).map { ($0.type.key, $0.kind, $0.changes) })")
        }
    }

    @Test func twoTargetPoliciesOfTheSameNameAreSkippedNeverGuessed() async throws {
        try await withSimulator(RestoreHarness.configuration(.counts(["deviceConfiguration": 2]))) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let name = "Device configuration profile 1"
            try simulator.addPolicy(
                tenant: simulatedTargetTenant, type: "deviceConfiguration", fields: ["displayName": .string(name)])
            try simulator.addPolicy(
                tenant: simulatedTargetTenant, type: "deviceConfiguration", fields: ["displayName": .string(name)])
            let plan = try await harness.plan(RestoreRequest(setId: setId, to: "fabrikam"))
            let action = try #require(plan.actions.first { $0.displayName == name })
            #expect(action.kind == .skip)
            #expect(action.warnings.first?.contains("ambiguous") == true)
            #expect(plan.actions.first { $0.displayName == "Device configuration profile 2" }?.kind == .create)
        }
    }

    @Test func pruneDeletesWhatTheSetDoesNotHoldOfItsTypesOnly() async throws {
        try await withSimulator(
            RestoreHarness.configuration(.counts(["deviceConfiguration": 2, "assignmentFilter": 1]))
        ) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let extra = try simulator.addPolicy(tenant: simulatedTenant, type: "deviceConfiguration")
            let other = try simulator.addPolicy(tenant: simulatedTenant, type: "deviceCompliancePolicy")
            let plan = try await harness.plan(RestoreRequest(setId: setId, prune: true))
            #expect(plan.actions.filter { $0.kind == .delete }.map(\.graphId) == [extra])
            let outcome = try await harness.apply(RestoreRequest(setId: setId, prune: true))
            #expect(outcome.counts.deleted == 1)
            #expect(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").contains(extra) == false)
            #expect(simulator.policyIDs(tenant: simulatedTenant, type: "deviceCompliancePolicy").contains(other))
        }
    }

    @Test func noAssignmentsLeavesTheTargetsAssignmentsAlone() async throws {
        try await withSimulator(RestoreHarness.configuration(.counts(["deviceConfiguration": 1]))) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let id = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").first)
            try simulator.updatePolicy(tenant: simulatedTenant, type: "deviceConfiguration", id: id) { policy in
                policy.subresources["assignments"] = []
            }
            let with = try await harness.plan(RestoreRequest(setId: setId))
            #expect(with.actions.first?.changes.contains { $0.property == "assignments" } == true)
            let without = try await harness.plan(RestoreRequest(setId: setId, includeAssignments: false))
            #expect(without.actions.first?.kind == .unchanged)
        }
    }

    @Test func badInputIsRefusedBeforeAnythingIsRead() async throws {
        try await withSimulator(RestoreHarness.configuration(.counts(["deviceConfiguration": 1]))) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let restores = harness.restores
            for request in [
                RestoreRequest(setId: 999), RestoreRequest(setId: setId, to: "nobody"),
                RestoreRequest(setId: setId, types: ["deviceConfigurations"]),
                RestoreRequest(setId: setId, policies: ["nope"]),
                RestoreRequest(setId: setId, policies: ["x"], prune: true),
            ] {
                let error = await caught { try await restores.scope(request) }
                #expect(error?.kind == .invalidInput, "\(request)")
            }
            let error = await caught {
                try await restores.scope(RestoreRequest(setId: setId, types: ["deviceConfigurations"]))
            }
            #expect(error?.message.contains("deviceConfigurations") == true)
        }
    }

    @Test func aSettingsCatalogPolicyComesBackWithEverySettingNotTheFirstPage() async throws {
        let spec = SimulatedTenantSpec(counts: ["settingsCatalogPolicy": 1], settingsPerPolicy: 60)
        var configuration = RestoreHarness.configuration(spec)
        configuration.pageSize = 25
        try await withSimulator(configuration) { simulator in
            let harness = try await RestoreHarness(simulator)
            let setId = try await harness.backup(harness.source)
            let outcome = try await harness.apply(RestoreRequest(setId: setId, to: "fabrikam"))
            #expect(outcome.counts.created == 1)
            let id = try #require(
                simulator.policyIDs(tenant: simulatedTargetTenant, type: "settingsCatalogPolicy").first)
            #expect(
                simulator.policy(tenant: simulatedTargetTenant, type: "settingsCatalogPolicy", id: id)?.subresources[
                    "settings"]?.count == 60)
            let again = try await harness.plan(RestoreRequest(setId: setId, to: "fabrikam"))
            #expect(again.actions.allSatisfy { $0.kind == .unchanged })
        }
    }

    @Test func writesArePacedUnderTheWriteLimitAndProvokeNo429() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["deviceConfiguration": 8, "deviceCompliancePolicy": 4, "assignmentFilter": 2],
            assignmentsPerPolicy: 2)
        // Graph's shape, shrunk so the test is short: 10 writes per 2 s, and a client paced to it.
        let throttling = SimulatedThrottling(requests: 1_000, writes: 10, window: .seconds(2))
        try await withSimulator(RestoreHarness.configuration(spec, throttling: throttling)) { simulator in
            let harness = try await RestoreHarness(
                simulator, limits: GraphRequestLimits(requests: 1_000, writes: 10, window: .seconds(2)))
            let setId = try await harness.backup(harness.source)
            simulator.resetRequestCounts()
            let clock = ContinuousClock()
            let started = clock.now
            let applied = try await harness.applied(RestoreRequest(setId: setId, to: "fabrikam"))
            let elapsed = clock.now - started
            #expect(applied.outcome.run.status == .success, "\(RestoreHarness.failures(applied))")
            let writes = simulator.requestCounts.writes
            #expect(writes > 20, "enough writes to need several windows: \(writes)")
            #expect(simulator.requestCounts.throttled == 0, "no 429: the pacer kept the writes under the limit")
            #expect(elapsed >= .seconds(2 * ((writes - 1) / 10)), "the writes took at least the windows they need")
        }
    }

    @Test func filtersAndScopeTagsCreatedByTheRestoreAreNamedByTheirNewIdsAndAGroupWithoutNamesakeIsLeftOut()
        async throws
    {
        let spec = SimulatedTenantSpec(
            counts: ["deviceConfiguration": 1, "assignmentFilter": 1, "roleScopeTag": 1], assignmentsPerPolicy: 1)
        try await withSimulator(RestoreHarness.configuration(spec)) { simulator in
            let harness = try await RestoreHarness(simulator)
            let filter = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "assignmentFilter").first)
            let tag = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "roleScopeTag").first)
            let policy = try #require(simulator.policyIDs(tenant: simulatedTenant, type: "deviceConfiguration").first)
            let group = try #require(simulator.groups(tenant: simulatedTenant).first)
            let stranger = "0badc0de-0000-4000-8000-000000000000"
            func target(_ groupId: String) -> JSONValue {
                .object([
                    "target": .object([
                        "@odata.type": .string("#microsoft.graph.groupAssignmentTarget"), "groupId": .string(groupId),
                        "deviceAndAppManagementAssignmentFilterId": .string(filter),
                        "deviceAndAppManagementAssignmentFilterType": .string("include"),
                    ])
                ])
            }
            try simulator.updatePolicy(tenant: simulatedTenant, type: "deviceConfiguration", id: policy) { policy in
                policy.fields["roleScopeTagIds"] = .array([.string("0"), .string(tag)])
                policy.subresources["assignments"] = [
                    SimulatedElement(
                        fields: (target(group.id).objectValue ?? [:]).merging(["id": .string("a1")]) { $1 }),
                    SimulatedElement(
                        fields: (target(stranger).objectValue ?? [:]).merging(["id": .string("a2")]) { $1 }),
                ]
            }
            let setId = try await harness.backup(harness.source)

            let plan = try await harness.plan(RestoreRequest(setId: setId, to: "fabrikam"))
            let action = try #require(plan.actions.first { $0.type.key == "deviceConfiguration" })
            #expect(action.warnings.contains { $0.contains(stranger) && $0.contains("left out") }, "\(action.warnings)")
            let outcome = try await harness.apply(RestoreRequest(setId: setId, to: "fabrikam"))
            #expect(outcome.run.status == .success)

            let newFilter = try #require(
                simulator.policyIDs(tenant: simulatedTargetTenant, type: "assignmentFilter").first)
            let newTag = try #require(simulator.policyIDs(tenant: simulatedTargetTenant, type: "roleScopeTag").first)
            let newPolicy = try #require(
                simulator.policyIDs(tenant: simulatedTargetTenant, type: "deviceConfiguration").first)
            let restored = try #require(
                simulator.policy(tenant: simulatedTargetTenant, type: "deviceConfiguration", id: newPolicy))
            #expect(restored.fields["roleScopeTagIds"] == .array([.string("0"), .string(newTag)]))
            let assignments = restored.subresources["assignments"] ?? []
            #expect(assignments.count == 1, "the assignment to a group the target lacks is left out")
            let written = try #require(assignments.first?.fields["target"])
            #expect(written["deviceAndAppManagementAssignmentFilterId"] == .string(newFilter))
            let targetGroup = simulator.groups(tenant: simulatedTargetTenant).first { $0.name == group.name }
            #expect(written["groupId"] == targetGroup.map { .string($0.id) })
        }
    }
}
