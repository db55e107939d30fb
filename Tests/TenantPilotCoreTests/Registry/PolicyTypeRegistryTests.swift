import Foundation
import Testing

@testable import TenantPilotCore

@Suite struct PolicyTypeRegistryTests {
    static let specKeys = [
        "deviceConfiguration", "settingsCatalogPolicy", "deviceCompliancePolicy",
        "groupPolicyConfiguration", "endpointSecurityIntent", "deviceManagementScript",
        "deviceShellScript", "deviceHealthScript", "appProtectionPolicy",
        "mobileAppConfiguration", "windowsAutopilotDeploymentProfile",
        "deviceEnrollmentConfiguration", "windowsFeatureUpdateProfile",
        "windowsQualityUpdateProfile", "assignmentFilter", "roleScopeTag", "roleDefinition",
        "notificationMessageTemplate", "conditionalAccessPolicy", "policySet",
    ]

    @Test func bundledRegistryHasTheTwentyKeysOfTheSpec() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        #expect(Set(registry.keys).isSuperset(of: Self.specKeys))
        for type in registry.types {
            #expect(["v1.0", "beta"].contains(type.graphVersion))
            #expect(!type.collectionPath.isEmpty)
        }
        let settingsCatalog = try #require(registry.type(forKey: "settingsCatalogPolicy"))
        #expect(settingsCatalog.subresources.map(\.property).contains("settings"))
        let groupPolicy = try #require(registry.type(forKey: "groupPolicyConfiguration"))
        #expect(
            groupPolicy.subresources.first { $0.property == "definitionValues" }?.children.map(\.property) == [
                "presentationValues"
            ])
        #expect(registry.type(forKey: "deviceManagementScript")?.fetchById == true)
    }

    @Test func environmentVariableReplacesTheBundledFile() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("types.json")
        try Data(
            #"[{"key":"onlyOne","label":"Only","graphVersion":"beta","collectionPath":"deviceManagement/only"}]"#.utf8
        )
        .write(to: URL(fileURLWithPath: path))
        let registry = try PolicyTypeRegistry.load(environment: [PolicyTypeRegistry.environmentVariable: path])
        #expect(registry.keys == ["onlyOne"])
        #expect(registry.source == path)
    }

    @Test(arguments: [
        (#"{"policyTypes": [{"key": "x"}]}"#, "label"),
        (#"not json"#, "not valid JSON"),
        (#"[{"key":"a","label":"A","graphVersion":"v2","collectionPath":"p"}]"#, "graphVersion"),
        (
            #"[{"key":"a","label":"A","graphVersion":"beta","collectionPath":"p"},{"key":"a","label":"A","graphVersion":"beta","collectionPath":"q"}]"#,
            "appears twice"
        ),
        (#"[]"#, "no policy types"),
    ])
    func malformedRegistryNamesTheFileAndTheFault(content: String, fault: String) throws {
        let folder = TemporaryDirectory()
        let path = folder.file("broken.json")
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try PolicyTypeRegistry.load(environment: [PolicyTypeRegistry.environmentVariable: path])
            Issue.record("a malformed registry was accepted")
        } catch {
            #expect(error.message.contains(path))
            #expect(error.message.contains(fault), "\(error.message)")
        }
    }

    @Test func suggestionsNameTheNearestKeys() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        #expect(registry.suggestions(for: "settingsCatalog").first == "settingsCatalogPolicy")
        #expect(registry.suggestions(for: "deviceConfigurations").first == "deviceConfiguration")
    }
}
