import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// v6_certificate_credentials: a tenant's credential is one of a secret's variable, a secret's
/// file or a certificate, and an older store keeps its tenants and everything that refers to them.
@Suite struct CertificateCredentialsMigrationTests {
    @Test func aV3StoreKeepsItsTenantsAndTheirReferencesThroughTheRebuild() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("v3.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v3_compact_backup_items")
            try queue.writeNow { db in
                try StoreTests.insertOldTenant(db)
                try db.execute(
                    sql: """
                        INSERT INTO tenants (name, tenant_guid, client_id, secret_file, graph_url, authority_url, created_at)
                        VALUES ('filed', '11111111-2222-3333-4444-555555555556', 'app', '/etc/s', 'https://g', 'https://a', '2026-01-02T00:00:00Z')
                        """)
                try db.execute(
                    sql: """
                        INSERT INTO backup_sets (tenant_id, status, created_at) VALUES (2, 'complete', '2026-01-03T00:00:00Z')
                        """)
            }
            try queue.close()
        }
        let store = try await Store.open(path: path)
        let (rows, setTenant, violations) = try store.writer.read { db in
            (
                try Row.fetchAll(
                    db, sql: "SELECT id, name, secret_env, secret_file, certificate_file FROM tenants ORDER BY id"),
                try Int64.fetchOne(db, sql: "SELECT tenant_id FROM backup_sets"),
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            )
        }
        #expect(rows.map { $0["name"] as String } == ["old", "filed"])
        #expect(rows.map { $0["id"] as Int64 } == [1, 2])
        #expect(rows[0]["secret_env"] as String? == "SECRET")
        #expect(rows[1]["secret_file"] as String? == "/etc/s")
        #expect(rows.allSatisfy { ($0["certificate_file"] as String?) == nil })
        #expect(setTenant == 2)
        #expect(violations.isEmpty)
    }

    @Test(arguments: [
        ("'V'", "NULL", "NULL", "NULL", true),
        ("NULL", "NULL", "'/c.pem'", "NULL", true),
        ("NULL", "NULL", "'/c.pem'", "'/k.pem'", true),
        ("NULL", "NULL", "NULL", "NULL", false),
        ("'V'", "NULL", "'/c.pem'", "NULL", false),
        ("NULL", "'/s'", "'/c.pem'", "NULL", false),
        ("'V'", "NULL", "NULL", "'/k.pem'", false),
    ])
    func aTenantHasExactlyOneCredential(env: String, file: String, certificate: String, key: String, accepted: Bool)
        async throws
    {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: folder.file("tp.sqlite"))
        let insert = """
            INSERT INTO tenants (name, tenant_guid, client_id, secret_env, secret_file, certificate_file, private_key_file,
                                 graph_url, authority_url, created_at)
            VALUES ('t', '11111111-2222-3333-4444-555555555555', 'app', \(env), \(file), \(certificate), \(key),
                    'https://g', 'https://a', '2026-01-01T00:00:00Z')
            """
        let outcome = Result { try store.writer.write { db in try db.execute(sql: insert) } }
        if accepted {
            #expect(throws: Never.self) { try outcome.get() }
        } else {
            #expect(throws: DatabaseError.self) { try outcome.get() }
        }
    }
}
