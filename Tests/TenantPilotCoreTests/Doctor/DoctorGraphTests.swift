import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// `doctor` with the real Graph probe against the simulator, and its certificate checks.
@Suite struct DoctorGraphTests {
    /// A store whose tenant points at `simulator` and has a schedule of `types`.
    static func store(_ folder: TemporaryDirectory, simulator: GraphSimulator, types: [String]) async throws -> String {
        let path = folder.file("tp.sqlite")
        let store = try await Store.open(path: path)
        let registry = try PolicyTypeRegistry.load(environment: [:])
        let request = try NewTenant(
            name: "contoso", tenantId: simulatedTenant, clientId: "client-app", secretEnv: "TP_TEST_SECRET",
            secretFile: nil,
            graphURL: simulator.baseURL.absoluteString, authorityURL: simulator.baseURL.absoluteString)
        _ = try await TenantService(store: store).add(request, actor: "admin", at: Date())
        let draft = try ScheduleDraft(
            tenantName: "contoso", name: "nightly", timezone: "UTC", at: ["02:00"], days: nil, cron: nil, types: types,
            keepLast: nil,
            enabled: true, registry: registry, now: Date())
        _ = try await ScheduleService(store: store).add(draft, actor: "admin", at: Date())
        return path
    }

    @Test func onlineReadsEveryTypeOfTheSchedulesAndNamesAMissingPermission() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(2))) { simulator in
            let folder = TemporaryDirectory()
            let path = try await Self.store(
                folder, simulator: simulator, types: ["deviceConfiguration", "appProtectionPolicy", "roleScopeTag"])
            simulator.inject(.forbidden, on: .collection(typeKey: "appProtectionPolicy"))
            let dependencies = Dependencies(environment: ["TP_TEST_SECRET": simulatorSecret])
            let report = await Doctor(
                databasePath: path, dependencies: dependencies, graph: GraphProbe(dependencies: dependencies)
            )
            .run(online: true)
            let reads = report.checks.filter { $0.name == "graph read of tenant contoso" }
            #expect(reads.map(\.status) == [.ok, .fail, .ok], "\(reads)")
            #expect(reads[0].detail == "deviceConfiguration: read 1 policy, more follow")
            #expect(
                reads[1].detail.contains("needs the application permission DeviceManagementApps.Read.All"),
                "\(reads[1].detail)")
            #expect(reads[2].detail.hasPrefix("roleScopeTag: read 1 policy"))
            #expect(simulator.requestCounts.list == 3, "one small read per type")
        }
    }

    @Test func aCertificateIsShownAndItsKeyCheckedNeverPrinted() async throws {
        let certificate = try SimulatedCertificate.make(
            commonName: "doctor-test", notValidAfter: Date(timeIntervalSinceNow: 20 * 86_400))
        let folder = TemporaryDirectory()
        try folder.write("app.crt", certificate.certificatePEM, mode: 0o644)
        try folder.write("app.key", certificate.privateKeyPEM, mode: 0o640)
        let path = folder.file("tp.sqlite")
        let store = try await Store.open(path: path)
        let request = try NewTenant(
            name: "fabrikam", tenantId: simulatedTenant, clientId: "app", secretEnv: nil, secretFile: nil,
            graphURL: nil,
            authorityURL: nil, certificateFile: folder.file("app.crt"), privateKeyFile: folder.file("app.key"))
        #expect(request.certificate?.warnings.count == 2, "expiring soon, key readable by the group")
        _ = try await TenantService(store: store).add(request, actor: "admin", at: Date())

        func check(at now: Date) async -> DoctorCheck? {
            let report = await Doctor(
                databasePath: path, dependencies: Dependencies(clock: .fixed(now), environment: [:])
            )
            .run(online: false)
            return report.checks.first { $0.name == "certificate of tenant fabrikam" }
        }
        let soon = try #require(await check(at: Date()))
        #expect(soon.status == .warn)
        #expect(soon.detail.contains("CN=doctor-test"))
        #expect(soon.detail.contains("thumbprint "))
        #expect(
            soon.detail.contains("expires in 19 days") || soon.detail.contains("expires in 20 days"), "\(soon.detail)")
        #expect(soon.detail.contains("readable by group or others (0640)"))
        let keyBody = certificate.privateKeyPEM.split(separator: "\n")[1]
        #expect(!soon.detail.contains(keyBody))

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.file("app.key"))
        let fine = try #require(await check(at: Date(timeIntervalSinceNow: -30 * 86_400)))
        #expect(fine.status == .ok, "\(fine.detail)")
        let expired = try #require(await check(at: Date(timeIntervalSinceNow: 21 * 86_400)))
        #expect(expired.status == .fail)
        #expect(expired.detail.contains("expired"))

        // The audit entry and the stored row name the files, never the key.
        let stored = try store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT metadata FROM audit_logs") + [
                try String.fetchOne(db, sql: "SELECT private_key_file FROM tenants") ?? ""
            ]
        }
        #expect(stored.allSatisfy { !$0.contains(keyBody) && !$0.contains("PRIVATE KEY") })
    }
}
