import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite struct GraphSimulatorTests {
    @Test func oneSeedAlwaysGivesTheSameTenant() async throws {
        let first = try await withSimulator(simulatorConfiguration(.policiesPerType(2), seed: 42)) {
            $0.policyIDs(tenant: simulatedTenant, type: "settingsCatalogPolicy")
        }
        let again = try await withSimulator(simulatorConfiguration(.policiesPerType(2), seed: 42)) {
            $0.policyIDs(tenant: simulatedTenant, type: "settingsCatalogPolicy")
        }
        let other = try await withSimulator(simulatorConfiguration(.policiesPerType(2), seed: 43)) {
            $0.policyIDs(tenant: simulatedTenant, type: "settingsCatalogPolicy")
        }
        #expect(first.count == 2)
        #expect(first == again)
        #expect(first != other)
    }

    @Test func changesBetweenTwoCapturesAreSeen() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["deviceConfiguration": 3]))) { simulator in
            let client = makeClient(simulator)
            let type = try policyType("deviceConfiguration")
            let before = await client.capturePolicies(of: type, listed: try await client.listPolicies(of: type))
            let mutation = try simulator.mutate(tenant: simulatedTenant, changed: 1, added: 0, deleted: 1)
            try simulator.addPolicy(tenant: simulatedTenant, type: type.key, fields: ["displayName": .string("Added")])
            let after = await client.capturePolicies(of: type, listed: try await client.listPolicies(of: type))
            let changed = try #require(mutation.changed.first?.id)
            let deleted = try #require(mutation.deleted.first?.id)
            #expect(after.count == 3)
            #expect(after[deleted] == nil)
            #expect(try after[changed]?.get() != before[changed]?.get())
            #expect(after.values.contains { (try? $0.get())?["displayName"] == .string("Added") })
        }
    }

    @Test func theControlEndpointInjectsFaultsAndChangesPolicies() async throws {
        try await withSimulator(simulatorConfiguration(.counts(["roleScopeTag": 2]))) { simulator in
            func post(_ path: String, _ body: String, method: String = "POST") async throws -> JSONValue {
                var request = URLRequest(url: simulator.baseURL.appendingPathComponent(path))
                request.httpMethod = method
                request.httpBody = Data(body.utf8)
                let (data, _) = try await URLSession.shared.data(for: request)
                return try JSONValue.parse(data)
            }
            let added = try await post(
                "_simulator/tenants/\(simulatedTenant)/policies/roleScopeTag", #"{"displayName":"Paris"}"#)
            let id = try #require(added["id"]?.stringValue)
            _ = try await post(
                "_simulator/tenants/\(simulatedTenant)/policies/roleScopeTag/\(id)", #"{"description":"edited"}"#,
                method: "PATCH")
            #expect(
                simulator.policy(tenant: simulatedTenant, type: "roleScopeTag", id: id)?.fields["description"]
                    == .string("edited"))
            _ = try await post(
                "_simulator/faults", #"{"fault":"forbidden","target":"collection:roleScopeTag","times":1}"#)
            let client = makeClient(simulator)
            let error = await caught { try await client.listPolicies(of: try policyType("roleScopeTag")) }
            #expect(error?.code == ErrorCode.graphForbidden)
            let listed = try await client.listPolicies(of: try policyType("roleScopeTag"))
            #expect(listed.count == 3)
            let mutated = try await post(
                "_simulator/tenants/\(simulatedTenant)/mutate", #"{"changed":1,"added":1,"deleted":1}"#)
            #expect(mutated["added"]?.arrayValue?.count == 1)
            #expect(mutated["deleted"]?.arrayValue?.count == 1)
        }
    }
}
