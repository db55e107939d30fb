import Foundation
import Testing

@testable import TenantPilotCore

/// `doctor --online` through the library, with a Graph probe double: how token and read
/// outcomes become checks, and that no probe runs for a tenant whose secret is unusable.
@Suite struct DoctorOnlineTests {
    /// Records what it was asked and answers as told.
    final class ProbeDouble: GraphProbing, @unchecked Sendable {
        let token: GraphProbeOutcome
        let read: GraphProbeOutcome
        private let lock = NSLock()
        private var _calls: [String] = []

        init(token: GraphProbeOutcome, read: GraphProbeOutcome) {
            self.token = token
            self.read = read
        }

        var calls: [String] { lock.withLock { _calls } }

        func acquireToken(for tenant: Tenant) async -> GraphProbeOutcome {
            lock.withLock { _calls.append("token \(tenant.name)") }
            return token
        }

        func readFirstPage(of type: PolicyType, for tenant: Tenant) async -> GraphProbeOutcome {
            lock.withLock { _calls.append("read \(type.key) \(tenant.name)") }
            return read
        }
    }

    static func store(in folder: TemporaryDirectory) async throws -> String {
        let path = folder.file("state/tenantpilot.sqlite")
        let store = try await Store.open(path: path)
        for (name, variable) in [("contoso", "CONTOSO_SECRET"), ("fabrikam", "FABRIKAM_SECRET")] {
            let request = try NewTenant(
                name: name, tenantId: "11111111-2222-3333-4444-555555555555", clientId: "app-\(name)",
                secretEnv: variable,
                secretFile: nil, graphURL: "http://127.0.0.1:9", authorityURL: "http://127.0.0.1:9")
            _ = try await TenantService(store: store).add(
                request, actor: "admin", at: Date(timeIntervalSince1970: 1_800_000_000))
        }
        return path
    }

    static func doctor(_ path: String, probe: ProbeDouble?) -> Doctor {
        Doctor(
            databasePath: path,
            dependencies: Dependencies(
                clock: .fixed(Date(timeIntervalSince1970: 1_800_000_000)), environment: ["CONTOSO_SECRET": "value"]),
            graph: probe)
    }

    @Test func aTokenAndAReadBecomeTwoChecksPerTenant() async throws {
        let folder = TemporaryDirectory()
        let path = try await Self.store(in: folder)
        let probe = ProbeDouble(
            token: .succeeded("token valid for 59 min"), read: .succeeded("3 policies on the first page"))
        let report = await Self.doctor(path, probe: probe).run(online: true)
        let checks = Dictionary(report.checks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(checks["token of tenant contoso"] == .ok("token of tenant contoso", "token valid for 59 min"))
        #expect(
            checks["graph read of tenant contoso"]
                == .ok("graph read of tenant contoso", "deviceConfiguration: 3 policies on the first page"))
        // fabrikam's variable is unset: its secret fails and the Graph is not asked for it.
        #expect(checks["secret of tenant fabrikam"]?.status == .fail)
        #expect(checks["token of tenant fabrikam"]?.status == .skipped)
        #expect(probe.calls == ["token contoso", "read deviceConfiguration contoso"])
        #expect(!report.ok)
    }

    @Test func aRefusedTokenFailsAndSkipsTheRead() async throws {
        let folder = TemporaryDirectory()
        let path = try await Self.store(in: folder)
        let probe = ProbeDouble(token: .failed("HTTP 401 from the authority"), read: .succeeded("unused"))
        let report = await Self.doctor(path, probe: probe).run(online: true)
        #expect(report.checks.contains(.fail("token of tenant contoso", "HTTP 401 from the authority")))
        #expect(report.checks.contains { $0.name == "graph read of tenant contoso" && $0.status == .skipped })
        #expect(probe.calls == ["token contoso"])
    }

    @Test func withoutOnlineTheGraphIsNeverAsked() async throws {
        let folder = TemporaryDirectory()
        let path = try await Self.store(in: folder)
        let probe = ProbeDouble(token: .succeeded("t"), read: .succeeded("r"))
        let report = await Self.doctor(path, probe: probe).run(online: false)
        #expect(probe.calls.isEmpty)
        #expect(!report.checks.contains { $0.name.hasPrefix("token of") })
    }

    @Test func linesPadTheStatusToOneColumn() {
        #expect(DoctorCheck.ok("store", "x").line == "ok   store: x")
        #expect(DoctorCheck.fail("store", "x").line == "FAIL store: x")
        #expect(DoctorCheck.skipped("graph", "x").line == "skip graph: x")
    }
}
