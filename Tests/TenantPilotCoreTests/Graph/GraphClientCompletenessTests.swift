import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// docs/architecture.md's payload rule against the simulator over HTTP: nothing truncated, nothing that only
/// a per-item request returns left out.
@Suite struct GraphClientCompletenessTests {
    @Test func settingsCatalogPolicyOfSixtySettingsIsCapturedAcrossPages() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 1], settingsPerPolicy: 60, assignmentsPerPolicy: 12)
        try await withSimulator(simulatorConfiguration(spec, pageSize: 25)) { simulator in
            let client = makeClient(simulator)
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            #expect(listed.count == 1)
            let id = try #require(listed.first?["id"]?.stringValue)
            #expect(listed.first?["settings"] == nil, "the collection does not return settings")

            let payload = try #require(await client.capturePolicies(of: type, listed: listed)[id]).get()
            let settings = try #require(payload["settings"]?.arrayValue)
            #expect(settings.count == 60)
            #expect(settings.compactMap { $0["id"]?.stringValue } == (0..<60).map(String.init))
            #expect(settings.allSatisfy { $0["settingInstance"]?["settingDefinitionId"]?.stringValue != nil })
            #expect(payload["assignments"]?.arrayValue?.count == 12)
            #expect(payload["name"]?.stringValue == listed.first?["name"]?.stringValue)
            // 60 settings at 25 a page: three pages were read.
            let settingsPath = "/beta/deviceManagement/configurationPolicies/\(id)/settings"
            #expect(simulator.requestCounts.byPath[settingsPath] == 3)
        }
    }

    @Test func groupPolicyDefinitionValuesCarryTheirDefinitionAndPresentationValues() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["groupPolicyConfiguration": 4]), pageSize: 2)) {
            simulator in
            let client = makeClient(simulator)
            let type = try policyType("groupPolicyConfiguration")
            let listed = try await client.listPolicies(of: type)
            #expect(listed.count == 4)
            let captured = await client.capturePolicies(of: type, listed: listed)
            var presentationValuesSeen = 0
            for id in simulator.policyIDs(tenant: simulatedTenant, type: type.key) {
                let model = try #require(simulator.policy(tenant: simulatedTenant, type: type.key, id: id))
                let payload = try #require(captured[id]).get()
                let values = try #require(payload["definitionValues"]?.arrayValue)
                let expected = model.subresources["definitionValues"] ?? []
                #expect(values.count == expected.count)
                for (value, element) in zip(values, expected) {
                    #expect(value["id"] == element.fields["id"])
                    #expect(value["definition"]?["displayName"]?.stringValue != nil, "definition is expanded")
                    let presentations = try #require(value["presentationValues"]?.arrayValue)
                    #expect(presentations.count == element.children["presentationValues"]?.count)
                    #expect(
                        presentations.allSatisfy { $0["presentation"]?["label"] != nil }, "presentation is expanded")
                    presentationValuesSeen += presentations.count
                }
            }
            #expect(presentationValuesSeen > 0, "the seed yields presentation values to check")
        }
    }

    @Test func scriptContentIsCapturedFromTheGetById() async throws {
        let spec = SimulatedTenantSpec.counts(["deviceManagementScript": 3, "deviceHealthScript": 2])
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let client = makeClient(simulator)
            for key in ["deviceManagementScript", "deviceHealthScript"] {
                let type = try policyType(key)
                let listed = try await client.listPolicies(of: type)
                #expect(!listed.isEmpty)
                #expect(listed.allSatisfy { $0["scriptContent"] == nil && $0["detectionScriptContent"] == nil })
                let captured = await client.capturePolicies(of: type, listed: listed)
                #expect(captured.count == listed.count)
                for result in captured.values {
                    let payload = try result.get()
                    let field = key == "deviceManagementScript" ? "scriptContent" : "detectionScriptContent"
                    let encoded = try #require(payload[field]?.stringValue)
                    let script = try #require(
                        Data(base64Encoded: encoded).flatMap { String(data: $0, encoding: .utf8) })
                    #expect(!script.isEmpty)
                    #expect(payload["assignments"]?.arrayValue != nil)
                }
            }
        }
    }

    @Test func complianceScheduledActionsAreExpanded() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["deviceCompliancePolicy": 2]))) { simulator in
            let client = makeClient(simulator)
            let type = try policyType("deviceCompliancePolicy")
            let captured = await client.capturePolicies(of: type, listed: try await client.listPolicies(of: type))
            #expect(captured.count == 2)
            for result in captured.values {
                let rules = try #require(try result.get()["scheduledActionsForRule"]?.arrayValue)
                #expect(rules.count == 1)
                #expect(
                    rules.first?["scheduledActionConfigurations"]?.arrayValue?.first?["actionType"] == .string("block"))
            }
        }
    }

    @Test func everyRegistryTypeIsCapturedWholeAcrossPages() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(3), pageSize: 2)) { simulator in
            let client = makeClient(simulator)
            let registry = try PolicyTypeRegistry.load(environment: [:])
            for type in registry.types {
                let listed = try await client.listPolicies(of: type)
                #expect(listed.count == 3, "\(type.key): 3 policies over two pages")
                let captured = await client.capturePolicies(of: type, listed: listed)
                #expect(captured.count == 3)
                for (id, result) in captured {
                    let payload = try result.get()
                    let model = try #require(simulator.policy(tenant: simulatedTenant, type: type.key, id: id))
                    for subresource in type.subresources {
                        #expect(
                            payload[subresource.property]?.arrayValue?.count
                                == model.subresources[subresource.path]?.count,
                            "\(type.key) \(id) \(subresource.property)")
                    }
                }
            }
        }
    }

    @Test func perPolicyRequestsAreBatchedTwentyAtATime() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 30], settingsPerPolicy: 5, assignmentsPerPolicy: 2)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(listExpansions: false))
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            simulator.resetRequestCounts()
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.values.allSatisfy { (try? $0.get()) != nil })
            let counts = simulator.requestCounts
            // 30 policies × (settings + assignments) = 60 requests in 3 batches of 20.
            #expect(counts.subresource == 60)
            #expect(counts.batch == 3)
            #expect(counts.http == 3)
        }
    }

    @Test func nextPagesOfManyCollectionsTravelTogetherInBatches() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 10], settingsPerPolicy: 60, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec, pageSize: 25)) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(listExpansions: false))
            let type = try policyType("settingsCatalogPolicy")
            let listed = try await client.listPolicies(of: type)
            simulator.resetRequestCounts()
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.count == 10)
            for result in captured.values {
                let settings = try #require(try result.get()["settings"]?.arrayValue)
                #expect(settings.compactMap { $0["id"]?.stringValue } == (0..<60).map(String.init))
            }
            let counts = simulator.requestCounts
            // 10 × (settings + assignments) first pages, then 10 second and 10 third pages of
            // settings: 40 sub-requests in 1 + 1 + 1 batches, none sent as a plain GET.
            #expect(counts.subresource == 40)
            #expect(counts.batch == 3)
            #expect(counts.http == 3)
        }
    }

    @Test func oneTokenServesManyConcurrentRequests() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(4), pageSize: 3)) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(concurrency: 8))
            let registry = try PolicyTypeRegistry.load(environment: [:])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for type in registry.types {
                    group.addTask {
                        let listed = try await client.listPolicies(of: type)
                        _ = await client.capturePolicies(of: type, listed: listed)
                    }
                }
                try await group.waitForAll()
            }
            #expect(simulator.requestCounts.token == 1)
            #expect(simulator.requestCounts.http > 40)
            #expect(client.requestCounts.token == 1)
            #expect(client.requestCount == simulator.requestCounts.http)
        }
    }

    @Test func aPolicyDeletedBeforeCaptureFailsAloneWithNotFound() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["deviceShellScript": 3]))) { simulator in
            let client = makeClient(simulator)
            let type = try policyType("deviceShellScript")
            let listed = try await client.listPolicies(of: type)
            let gone = simulator.policyIDs(tenant: simulatedTenant, type: type.key)[1]
            try simulator.deletePolicy(tenant: simulatedTenant, type: type.key, id: gone)
            let captured = await client.capturePolicies(of: type, listed: listed)
            #expect(captured.count == 3)
            #expect(captured.filter { (try? $0.value.get()) != nil }.count == 2)
            if case .failure(let error)? = captured[gone] {
                #expect(error.code == ErrorCode.graphNotFound)
            } else {
                Issue.record("the deleted policy should have failed")
            }
        }
    }
}

/// Every type of the bundled registry captured exactly as the simulator holds it, whether the
/// listings expand (and Graph answers), do not, or Graph refuses the expansion with 400.
@Suite struct GraphClientExpansionTests {
    enum Mode: String, CaseIterable, Sendable {
        case expanded, perPolicy, refusedByGraph
    }

    @Test(arguments: Mode.allCases)
    func everyTypeIsCapturedWhole(_ mode: Mode) async throws {
        var configuration = simulatorConfiguration(.policiesPerType(8), pageSize: 3)
        configuration.refuseListExpansions = mode == .refusedByGraph
        try await withSimulator(configuration) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(listExpansions: mode != .perPolicy))
            let registry = try PolicyTypeRegistry.load(environment: [:])
            var assignmentsSeen = 0
            for type in registry.types {
                let listed = try await client.listPolicies(of: type)
                #expect(listed.count == 8, "\(type.key)")
                let captured = await client.capturePolicies(of: type, listed: listed)
                #expect(captured.count == 8, "\(type.key)")
                for (id, result) in captured {
                    let model = try #require(simulator.policy(tenant: simulatedTenant, type: type.key, id: id))
                    let payload = try result.get()
                    let expected = Self.expectedPayload(model, type: type)
                    #expect(Self.comparable(payload) == Self.comparable(expected), "\(type.key) \(id)")
                    assignmentsSeen += payload["assignments"]?.arrayValue?.count ?? 0
                }
            }
            #expect(assignmentsSeen > 100)
        }
    }

    @Test(arguments: Mode.allCases)
    func appProtectionPoliciesComeWithTheirAssignmentsAndApps(_ mode: Mode) async throws {
        var configuration = simulatorConfiguration(.counts(["appProtectionPolicy": 21]), pageSize: 4)
        configuration.refuseListExpansions = mode == .refusedByGraph
        try await withSimulator(configuration) { simulator in
            let client = makeClient(simulator, options: GraphClientOptions(listExpansions: mode != .perPolicy))
            let type = try policyType("appProtectionPolicy")
            let listed = try await client.listPolicies(of: type)
            #expect(
                Set(listed.compactMap { $0["id"]?.stringValue })
                    == Set(simulator.policyIDs(tenant: simulatedTenant, type: type.key)))
            let captured = await client.capturePolicies(of: type, listed: listed)
            var kinds: Set<String> = []
            for id in simulator.policyIDs(tenant: simulatedTenant, type: type.key) {
                let model = try #require(simulator.policy(tenant: simulatedTenant, type: type.key, id: id))
                let payload = try #require(captured[id]).get()
                kinds.insert(payload["@odata.type"]?.stringValue ?? "")
                if let path = model.collectionPath {
                    #expect(
                        payload["assignments"]?.arrayValue?.count == model.subresources["assignments"]?.count,
                        "\(path) \(id)")
                    if path.hasSuffix("ManagedAppProtections") || path.hasSuffix("targetedManagedAppConfigurations") {
                        #expect(payload["apps"]?.arrayValue?.count == model.subresources["apps"]?.count)
                        #expect((payload["apps"]?.arrayValue?.count ?? 0) > 0)
                    }
                } else {
                    // Only the base collection lists it: captured by id there, whole.
                    #expect(payload["minimumRequiredAppVersion"] != nil, "the GET by id of a base-only policy")
                }
            }
            #expect(kinds.count == 7, "six typed collections and the base-only kind: \(kinds)")
            #expect(
                simulator.requestCounts.requests(toPathContaining: "managedAppPolicies/") == 3,
                "by id: base-only policies only")
        }
    }

    @Test func expansionsSaveThePerPolicyRequests() async throws {
        let spec = SimulatedTenantSpec(
            counts: ["deviceConfiguration": 40, "appProtectionPolicy": 14], assignmentsPerPolicy: 2)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            let client = makeClient(simulator)
            for key in ["deviceConfiguration", "appProtectionPolicy"] {
                let type = try policyType(key)
                _ = await client.capturePolicies(of: type, listed: try await client.listPolicies(of: type))
            }
            let counts = simulator.requestCounts
            #expect(
                counts.subresource == 8,
                "assignments and apps came with the listings; the AppLocker files of the four WIP policies are read per policy"
            )
            #expect(counts.list == 8, "one page of device configurations, seven app protection collections")
            #expect(counts.getByID == 2, "the two base-only app protection policies")
        }
    }

    /// The policy as Graph returns it by id with each sub-resource placed under its property, from
    /// the simulator's model.
    static func expectedPayload(_ model: SimulatedPolicy, type: PolicyType) -> JSONValue {
        let source = type.sources.first { $0.path == model.collectionPath } ?? type.sources[type.sources.count - 1]
        var object = model.fields
        if source.fetchById { object.merge(model.detailFields) { _, detail in detail } }
        object["id"] = .string(model.id)
        for subresource in source.subresources {
            object[subresource.property] = .array(
                (model.subresources[subresource.path] ?? []).map { element($0, subresource) })
        }
        return .object(object)
    }

    private static func element(_ element: SimulatedElement, _ subresource: Subresource) -> JSONValue {
        var object = element.fields
        if let expand = subresource.expand, let value = element.expansions[expand] { object[expand] = value }
        for child in subresource.children {
            object[child.property] = .array((element.children[child.path] ?? []).map { self.element($0, child) })
        }
        return .object(object)
    }

    /// Without `@odata.context` and next-link annotations, which say where an answer came from.
    static func comparable(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, child) in object where key != "@odata.context" && !key.hasSuffix("@odata.nextLink") {
                result[key] = comparable(child)
            }
            return .object(result)
        case .array(let items): return .array(items.map(comparable))
        default: return value
        }
    }
}
