import Testing

@testable import TenantPilotCore

@Suite struct RunFailureSummaryTests {
    @Test func aFailureThatStruckEveryTypeIsNamedOnce() {
        let throttled = ["deviceConfiguration", "roleScopeTag", "policySet"].map { key in
            (
                key: key,
                error: TenantPilotError.failed(
                    "Graph throttled \(key) (HTTP 429) (gave up after 6 attempts)", code: ErrorCode.graphThrottled)
            )
        }
        let other = (
            key: "assignmentFilter",
            error: TenantPilotError.failed("Graph sent an unusable response", code: ErrorCode.graphBadResponse)
        )
        let text = RunFailureSummary.describe(throttled + [other])
        #expect(
            text
                == "deviceConfiguration, roleScopeTag, policySet: Graph throttled deviceConfiguration (HTTP 429) (gave up after 6 attempts); assignmentFilter: Graph sent an unusable response"
        )
        #expect(text.components(separatedBy: "HTTP 429").count == 2, "the 429 is named once")
    }

    @Test func forbiddenTypesNameEveryMissingPermission() {
        let failures = [
            ("deviceConfiguration", "DeviceManagementConfiguration.Read.All"),
            ("roleScopeTag", "DeviceManagementRBAC.Read.All"),
            ("settingsCatalogPolicy", "DeviceManagementConfiguration.Read.All"),
        ].map { key, permission in
            (
                key: key,
                error: TenantPilotError.failed(
                    "Graph denied access to \(key) (HTTP 403) (reading \(key) needs the application permission \(permission))",
                    code: ErrorCode.graphForbidden)
            )
        }
        let text = RunFailureSummary.describe(failures)
        #expect(text.hasPrefix("deviceConfiguration, roleScopeTag, settingsCatalogPolicy: Graph denied access"))
        #expect(
            text.hasSuffix(
                "(permissions needed: DeviceManagementConfiguration.Read.All, DeviceManagementRBAC.Read.All)"))
    }
}
