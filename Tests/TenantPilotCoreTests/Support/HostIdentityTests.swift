import Foundation
import Testing

@testable import TenantPilotCore

/// The host name each run records: the system's, unless `TENANTPILOT_HOST` names a usable one.
@Suite struct HostIdentityTests {
    @Test func theSystemsNameUnlessTheVariableNamesAUsableOne() throws {
        let system = try #require(
            try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(HostIdentity.resolve(environment: [:]) == system)
        #expect(HostIdentity.resolve(environment: ["TENANTPILOT_HOST": "host-b"]) == "host-b")
        #expect(HostIdentity.resolve(environment: ["TENANTPILOT_HOST": ""]) == system)
        #expect(HostIdentity.resolve(environment: ["TENANTPILOT_HOST": "bad\nname"]) == system)
        #expect(HostIdentity.resolve(environment: ["TENANTPILOT_HOST": String(repeating: "h", count: 256)]) == system)
    }
}
