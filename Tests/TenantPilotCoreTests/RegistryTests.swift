import Foundation
import Testing
@testable import TenantPilotCore

@Suite struct PolicyTypeRegistryTests {
    @Test func bundledRegistryHasTheTwentyKeysOfTheSpec() throws {
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let expected = [
            "deviceConfiguration", "settingsCatalogPolicy", "deviceCompliancePolicy",
            "groupPolicyConfiguration", "endpointSecurityIntent", "deviceManagementScript",
            "deviceShellScript", "deviceHealthScript", "appProtectionPolicy",
            "mobileAppConfiguration", "windowsAutopilotDeploymentProfile",
            "deviceEnrollmentConfiguration", "windowsFeatureUpdateProfile",
            "windowsQualityUpdateProfile", "assignmentFilter", "roleScopeTag", "roleDefinition",
            "notificationMessageTemplate", "conditionalAccessPolicy", "policySet",
        ]
        #expect(Set(registry.keys).isSuperset(of: expected))
    }
}
