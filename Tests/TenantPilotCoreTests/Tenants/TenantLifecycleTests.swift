import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// `tenants update`, `remove` and `--purge` through `TenantService`, on a real store.
@Suite struct TenantLifecycleTests {
    static let t0 = BackupTestStore.t0

    static func request(_ name: String, guid: Int, client: String = "app", env: String = "SECRET")
        throws -> NewTenant
    {
        try NewTenant(
            name: name, tenantId: String(format: "%08d-2222-3333-4444-555555555555", guid), clientId: client,
            secretEnv: env, secretFile: nil, graphURL: nil, authorityURL: nil, environment: [env: "s"])
    }

    static func item(_ tenant: String, _ number: Int, version: Int = 0) -> NewBackupItem {
        NewBackupItem(
            typeKey: "deviceConfiguration", graphId: "\(tenant)-\(number)", displayName: "Policy \(number)",
            payload: .object(["id": .string("\(tenant)-\(number)"), "v": .int(Int64(version))]))
    }

    @Test func aSecondTenantWithTheSameTenantIdAndClientIdIsRefused() async throws {
        let fixture = try await BackupTestStore()
        let tenants = TenantService(store: fixture.store)
        _ = try await tenants.add(try Self.request("contoso", guid: 1), actor: "admin", at: Self.t0)
        do {
            _ = try await tenants.add(try Self.request("contoso-2", guid: 1), actor: "admin", at: Self.t0)
            Issue.record("accepted the same app registration twice")
        } catch let error as TenantPilotError {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("already registered as \"contoso\""))
        }
        // Another client id in the same directory is another registration.
        _ = try await tenants.add(try Self.request("contoso-2", guid: 1, client: "other"), actor: "admin", at: Self.t0)
        #expect(try await tenants.list().count == 2)
    }

    @Test func anUnsetVariableOrAMissingFileIsAWarningNotAnError() throws {
        let folder = TemporaryDirectory()
        let unset = try NewTenant(
            name: "a", tenantId: "00000001-2222-3333-4444-555555555555", clientId: "c", secretEnv: "NOT_SET_HERE",
            secretFile: nil, graphURL: nil, authorityURL: nil, environment: [:])
        #expect(unset.warnings.count == 1)
        #expect(unset.warnings[0].contains("NOT_SET_HERE is not set in this shell"))
        let missing = try NewTenant(
            name: "a", tenantId: "00000001-2222-3333-4444-555555555555", clientId: "c", secretEnv: nil,
            secretFile: "typo/secret", graphURL: nil, authorityURL: nil, workingDirectory: folder.path,
            environment: [:])
        #expect(missing.warnings.count == 1)
        #expect(missing.warnings[0].contains("\(folder.path)/typo/secret does not exist yet"))
        try folder.write("open", "s3cret", mode: 0o644)
        let open = try NewTenant(
            name: "a", tenantId: "00000001-2222-3333-4444-555555555555", clientId: "c", secretEnv: nil,
            secretFile: folder.file("open"), graphURL: nil, authorityURL: nil, environment: [:])
        #expect(open.warnings.first?.contains("chmod 600") == true)
        #expect(!open.warnings.joined().contains("s3cret"))
        // A folder is never a secret file: still bad input.
        #expect(throws: TenantPilotError.self) {
            _ = try NewTenant(
                name: "a", tenantId: "00000001-2222-3333-4444-555555555555", clientId: "c", secretEnv: nil,
                secretFile: folder.path, graphURL: nil, authorityURL: nil, environment: [:])
        }
    }

    @Test func updateChangesWhatIsGivenAndAuditsIt() async throws {
        let fixture = try await BackupTestStore()
        let tenants = TenantService(store: fixture.store)
        let contoso = try await tenants.add(try Self.request("contoso", guid: 1), actor: "admin", at: Self.t0)
        _ = try await tenants.add(try Self.request("fabrikam", guid: 2), actor: "admin", at: Self.t0)
        let folder = TemporaryDirectory()
        try folder.write("secret", "s", mode: 0o600)
        let changes = try TenantChanges(
            name: "contoso-eu", clientId: "app-2", secretEnv: nil, secretFile: folder.file("secret"),
            certificateFile: nil, privateKeyFile: nil, graphURL: "https://graph.microsoft.us/", authorityURL: nil,
            environment: [:])
        #expect(changes.warnings.isEmpty)
        let (updated, changed) = try await tenants.update("contoso", changes: changes, actor: "admin", at: Self.t0)
        #expect(changed == ["client_id", "graph_url", "name", "secret_source"])
        #expect(updated.id == contoso.id)
        #expect(updated.secretEnv == nil)
        #expect(updated.secretFile == folder.file("secret"))
        #expect(updated.graphURL == "https://graph.microsoft.us")
        #expect(try await tenants.find(named: "contoso-eu").clientId == "app-2")
        let metadata = try fixture.store.writer.read { db in
            try String.fetchOne(db, sql: "SELECT metadata FROM audit_logs WHERE action = 'tenant.updated'")
        }
        #expect(metadata?.contains("\"previous_name\":\"contoso\"") == true)
        #expect(metadata?.contains("file:\(folder.file("secret"))") == true)

        // Another tenant's name, or another tenant's registration, is refused.
        let rename = try TenantChanges(
            name: "fabrikam", clientId: nil, secretEnv: nil, secretFile: nil, certificateFile: nil,
            privateKeyFile: nil, graphURL: nil, authorityURL: nil)
        await #expect(throws: TenantPilotError.self) {
            _ = try await tenants.update("contoso-eu", changes: rename, actor: "admin", at: Self.t0)
        }
        let sameApp = try TenantChanges(
            name: nil, clientId: "app", secretEnv: nil, secretFile: nil, certificateFile: nil, privateKeyFile: nil,
            graphURL: nil, authorityURL: nil)
        _ = try await tenants.update("contoso-eu", changes: sameApp, actor: "admin", at: Self.t0)
        #expect(throws: TenantPilotError.self) {
            _ = try TenantChanges(
                name: nil, clientId: nil, secretEnv: nil, secretFile: nil, certificateFile: nil, privateKeyFile: nil,
                graphURL: nil, authorityURL: nil)
        }
    }

    @Test func removeIsRefusedWhileSchedulesExistAndKeepsTheHistory() async throws {
        let fixture = try await BackupTestStore()
        let tenants = TenantService(store: fixture.store)
        let contoso = try await tenants.add(try Self.request("contoso", guid: 1), actor: "admin", at: Self.t0)
        let schedule = try fixture.addSchedule(tenantId: contoso.rowID)
        let set = try await fixture.makeSet(
            tenantId: contoso.rowID, scheduleId: schedule, items: [Self.item("c", 1)])
        do {
            _ = try await tenants.remove("contoso", withSchedules: false, purge: false, actor: "admin", at: Self.t0)
            Issue.record("removed a tenant with a schedule")
        } catch {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("contoso/nightly"))
        }
        let removal = try await tenants.remove(
            "contoso", withSchedules: true, purge: false, actor: "admin", at: Self.t0)
        #expect(removal.removedSchedules.map(\.rowID) == [schedule])
        #expect(removal.keptSets == 1)
        #expect(removal.tenant.removedAt != nil)
        #expect(try await tenants.list().isEmpty)
        // Its history stays readable, its name is free again.
        #expect(try await tenants.findWithHistory(named: "contoso").id == contoso.id)
        #expect(try await BackupSetStore(store: fixture.store).set(id: set) != nil)
        let again = try await tenants.add(try Self.request("contoso", guid: 1), actor: "admin", at: Self.t0)
        #expect(again.id != contoso.id)
        await #expect(throws: TenantPilotError.self) {
            _ = try await ScheduleService(store: fixture.store).find(.name(tenant: "nobody", schedule: "x"))
        }
        let actions = try fixture.store.writer.read { db in
            try String.fetchAll(
                db, sql: "SELECT action FROM audit_logs WHERE tenant_id = ? ORDER BY id", arguments: [contoso.rowID])
        }
        #expect(actions == ["tenant.created", "backup_schedule.removed", "tenant.removed"])
    }

    @Test func purgeDeletesOnlyWhatTheTenantOwnedAndKeepsTheAuditLog() async throws {
        let fixture = try await BackupTestStore()
        let tenants = TenantService(store: fixture.store)
        let contoso = try await tenants.add(try Self.request("contoso", guid: 1), actor: "admin", at: Self.t0)
        let fabrikam = try await tenants.add(try Self.request("fabrikam", guid: 2), actor: "admin", at: Self.t0)
        let shared = NewBackupItem(
            typeKey: "deviceConfiguration", graphId: "same", displayName: "Shared", payload: .object(["x": .int(1)]))
        for day in 0..<3 {
            try await fixture.makeSet(
                tenantId: contoso.rowID, scheduleId: nil, items: [Self.item("c", 1, version: day), shared], day: day)
        }
        let kept = try await fixture.makeSet(
            tenantId: fabrikam.rowID, scheduleId: nil, items: [Self.item("f", 1), shared])
        try fixture.store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup_schedule_runs (tenant_id, scheduled_for, trigger, status, actor, created_at)
                    VALUES (?, '2026-01-02T00:00:00Z', 'manual', 'success', 'admin', '2026-01-02T00:00:00Z'),
                           (?, '2026-01-02T00:00:00Z', 'manual', 'success', 'admin', '2026-01-02T00:00:00Z');
                    INSERT INTO notifications (actor, type, run_id, status, message, created_at)
                    VALUES ('admin', 'run_finished', 1, 'success', 'done', '2026-01-02T00:00:00Z');
                    INSERT INTO policies (tenant_id, policy_type, graph_id, display_name, first_seen_at, last_seen_at)
                    VALUES (?, 'deviceConfiguration', 'c-1', 'Policy 1', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z'),
                           (?, 'deviceConfiguration', 'f-1', 'Policy 1', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z');
                    """,
                arguments: [contoso.rowID, fabrikam.rowID, contoso.rowID, fabrikam.rowID])
        }
        let auditBefore = try fixture.count("SELECT count(*) FROM audit_logs WHERE tenant_id = ?", [contoso.rowID])
        let removal = try await tenants.remove(
            "contoso", withSchedules: false, purge: true, actor: "admin", at: Self.t0)
        let counts = try #require(removal.purge)
        #expect(counts.sets == 3)
        #expect(counts.items == 6)
        #expect(counts.payloads == 3)  // the three versions of c-1; the shared payload stays
        #expect(counts.runs == 1)
        #expect(counts.notifications == 1)
        #expect(counts.policies == 1)
        #expect(removal.auditEntries == auditBefore + 2)
        #expect(try fixture.count("SELECT count(*) FROM backup_sets WHERE tenant_id = ?", [contoso.rowID]) == 0)
        #expect(
            try fixture.count("SELECT count(*) FROM backup_schedule_runs WHERE tenant_id = ?", [contoso.rowID]) == 0)
        #expect(try fixture.count("SELECT count(*) FROM policies WHERE tenant_id = ?", [contoso.rowID]) == 0)
        // Fabrikam is untouched, its shared payload included.
        let fabrikamSet = try #require(try await BackupSetStore(store: fixture.store).set(id: kept))
        #expect(fabrikamSet.items.count == 2)
        for item in fabrikamSet.items {
            #expect(try await BackupSetStore(store: fixture.store).payload(sha256: item.sha256) != nil)
        }
        #expect(
            try fixture.count("SELECT count(*) FROM backup_schedule_runs WHERE tenant_id = ?", [fabrikam.rowID]) == 1)
        #expect(try fixture.count("SELECT count(*) FROM policies WHERE tenant_id = ?", [fabrikam.rowID]) == 1)
        let violations = try fixture.store.writer.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(violations.isEmpty)
        let actions = try await AuditQuery(store: fixture.store).list(tenantName: "contoso", action: nil, limit: 100)
        #expect(actions.first?.action == .tenantPurged)
        #expect(actions.first?.tenant == "contoso")
        #expect(actions.contains { $0.action == .tenantRemoved })
        // Purging again changes nothing.
        let again = try await tenants.remove("contoso", withSchedules: false, purge: true, actor: "admin", at: Self.t0)
        #expect(again.wasPurged)
        #expect(
            try fixture.count("SELECT count(*) FROM audit_logs WHERE tenant_id = ?", [contoso.rowID]) == auditBefore + 2
        )
    }
}
