import Foundation
import Testing

@testable import TenantPilotCore

/// `tenants import`: every row validated as `tenants add` validates it, the bad one named by
/// line and field, and all of them registered in one transaction or none.
@Suite struct TenantImportTests {
    static let header = "name,tenant_id,client_id,client_secret_env,client_secret_file"
    static func row(_ name: String, _ guid: Int, env: String = "SECRET_X", file: String = "") -> String {
        "\(name),\(String(format: "%08d", guid))-2222-3333-4444-555555555555,app-\(guid),\(env),\(file)"
    }

    func read(_ folder: TemporaryDirectory, _ name: String, _ text: String) throws -> TenantImport {
        try folder.write(name, text, mode: 0o600)
        return try TenantImport.read(name, workingDirectory: folder.path, environment: ["SECRET_X": "s"])
    }

    func refusal(_ folder: TemporaryDirectory, _ name: String, _ text: String) -> String {
        do {
            _ = try read(folder, name, text)
            return "accepted"
        } catch let error as TenantPilotError {
            #expect(error.exitCode == 2)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func aCSVFileWithQuotingIsReadWithItsLines() throws {
        let folder = TemporaryDirectory()
        let text = [
            Self.header, Self.row("contoso", 1),
            "\"fabrikam\",00000002-2222-3333-4444-555555555555,\"app-2\",,\"secrets/fab, rikam\"",
        ].joined(separator: "\r\n")
        let batch = try read(folder, "t.csv", text)
        #expect(batch.rows.map(\.line) == [2, 3])
        #expect(batch.rows.map(\.request.name) == ["contoso", "fabrikam"])
        #expect(batch.rows[1].request.secretFile == folder.file("secrets/fab, rikam"))
        // The file is missing: a warning naming the line, not an error.
        #expect(batch.warnings.count == 1)
        #expect(batch.warnings[0].hasPrefix("t.csv line 3: secret file"))
    }

    @Test func aJSONArrayIsReadWithTheLineOfEachTenant() throws {
        let folder = TemporaryDirectory()
        let text = """
            [
              {"name": "contoso", "tenant_id": "00000001-2222-3333-4444-555555555555", "client_id": "a",
               "client_secret_env": "SECRET_X"},
              {"name": "fabrikam", "tenant-id": "00000002-2222-3333-4444-555555555555", "client_id": "b",
               "client_secret_env": "MISSING_VAR", "graph_url": null}
            ]
            """
        let batch = try read(folder, "t.json", text)
        #expect(batch.rows.map(\.line) == [2, 4])
        #expect(batch.warnings.count == 1)
        #expect(batch.warnings[0].contains("line 4: MISSING_VAR is not set in this shell"))
        let bad = refusal(folder, "bad.json", "[\n{\"name\": \"x\", \"tenant_id\": 7}\n]")
        #expect(bad.contains("line 2, field tenant_id: must be a string"), "\(bad)")
    }

    @Test(arguments: [
        ("name,tenant_id,client_secret_env\nx,y,z\n", "line 1: missing column client_id"),
        ("name,tenant_id,client_id\nx,y,z\n", "line 1: missing a credential column"),
        ("name,tenant_id,client_id,client_secret_env,colour\n", "line 1: unknown column \"colour\""),
        ("name,name,tenant_id,client_id,client_secret_env\n", "line 1: column name is named twice"),
    ])
    func aMissingOrUnknownColumnIsNamed(text: String, expected: String) {
        let folder = TemporaryDirectory()
        let message = refusal(folder, "t.csv", text)
        #expect(message.contains(expected), "\(message)")
    }

    @Test func aBadRowIsNamedByLineAndField() {
        let folder = TemporaryDirectory()
        let cases: [(String, String)] = [
            (Self.row("contoso", 1) + "\nnot-a-guid,x,app,SECRET_X,", "line 3, field tenant_id"),
            ("a/b,00000009-2222-3333-4444-555555555555,app,SECRET_X,", "line 2, field name"),
            (
                Self.row("contoso", 1) + "\n" + Self.row("contoso", 2),
                "line 3, field name: \"contoso\" is also the name on line 2"
            ),
            (Self.row("contoso", 1) + "\n" + Self.row("other", 1), "line 3, field client_id"),
            (
                "x,00000009-2222-3333-4444-555555555555,app,SECRET_X,/etc/s",
                "line 2, field client_secret_env: give one credential"
            ),
            ("x,00000009-2222-3333-4444-555555555555,app,,", "line 2: give where"),
            (Self.row("contoso", 1) + ",extra", "line 2: 6 fields, but the header has 5"),
        ]
        for (rows, expected) in cases {
            let message = refusal(folder, "t.csv", Self.header + "\n" + rows)
            #expect(message.contains(expected), "\(message)")
        }
    }

    @Test func importIsAllOrNothingAgainstTheStore() async throws {
        let fixture = try await BackupTestStore()
        let tenants = TenantService(store: fixture.store)
        let existing = try await tenants.add(
            try NewTenant(
                name: "existing", tenantId: "00000003-2222-3333-4444-555555555555", clientId: "app-3",
                secretEnv: "SECRET_X", secretFile: nil, graphURL: nil, authorityURL: nil, environment: [:]),
            actor: "admin", at: BackupTestStore.t0)
        let folder = TemporaryDirectory()
        let clash = try read(
            folder, "t.csv", [Self.header, Self.row("a", 1), Self.row("b", 3)].joined(separator: "\n"))
        await #expect(throws: TenantPilotError.self) {
            _ = try await tenants.importTenants(clash, dryRun: false, actor: "admin", at: BackupTestStore.t0)
        }
        do {
            _ = try await tenants.importTenants(clash, dryRun: true, actor: "admin", at: BackupTestStore.t0)
            Issue.record("a dry run accepted a registered application")
        } catch {
            #expect(error.message.contains("t.csv line 3:"), "\(error.message)")
            #expect(error.message.contains("already registered as \"existing\""), "\(error.message)")
        }
        #expect(try await tenants.list().map(\.name) == ["existing"])
        #expect(try fixture.count("SELECT count(*) FROM audit_logs") == 1)

        let good = try read(
            folder, "ok.csv", [Self.header, Self.row("a", 1), Self.row("b", 2)].joined(separator: "\n"))
        let preview = try await tenants.importTenants(good, dryRun: true, actor: "admin", at: BackupTestStore.t0)
        #expect(preview.map(\.id) == [nil, nil])
        #expect(try await tenants.list().count == 1)
        let imported = try await tenants.importTenants(good, dryRun: false, actor: "admin", at: BackupTestStore.t0)
        #expect(imported.map(\.name) == ["a", "b"])
        #expect(try await tenants.list().map(\.name) == ["a", "b", "existing"])
        let lines = try fixture.count(
            "SELECT count(*) FROM audit_logs WHERE action = 'tenant.created' AND json_extract(metadata, '$.imported_from') = 'ok.csv'"
        )
        #expect(lines == 2)
        _ = existing
    }
}
