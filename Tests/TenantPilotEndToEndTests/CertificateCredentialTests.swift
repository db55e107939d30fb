import Foundation
import GraphSimulator
import Testing

/// docs/operations.md §2 through the binary: `tenants add --certificate-file/--private-key-file`, a run
/// that signs in with a client assertion, and what bad input and an expired certificate do.
@Suite struct CertificateCredentialEndToEndTests {
    /// Writes a certificate and its key into the CLI's folder; returns their paths.
    static func files(_ cli: CLI, _ certificate: SimulatedCertificate, name: String = "app") throws -> (
        certificate: String, key: String
    ) {
        let certificatePath = cli.folder.appendingPathComponent("\(name).crt").path
        let keyPath = cli.folder.appendingPathComponent("\(name).key").path
        try Data(certificate.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificatePath))
        try Data(certificate.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: keyPath))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        return (certificatePath, keyPath)
    }

    static func addTenant(_ cli: CLI, _ simulator: SimulatorProcess, certificate: String, key: String?) throws
        -> CLI.Result
    {
        var arguments = [
            "tenants", "add", "--name", "contoso", "--tenant-id", SimulatorProcess.tenantGuid, "--client-id",
            "tenantpilot-tests",
            "--certificate-file", certificate, "--graph-url", simulator.baseURL, "--authority-url", simulator.baseURL,
        ]
        if let key { arguments += ["--private-key-file", key] }
        return try cli.run(arguments)
    }

    @Test func aCertificateTenantIsBackedUpAndItsKeyAppearsNowhere() throws {
        let cli = CLI()
        let certificate = try SimulatedCertificate.make(commonName: "e2e-backup")
        let (certificatePath, keyPath) = try Self.files(cli, certificate)
        // The simulator trusts the certificate and no secret at all.
        let simulator = try SimulatorProcess(extra: [
            "--client-certificate", certificatePath, "--client-secret", UUID().uuidString,
        ])
        let added = try Self.addTenant(cli, simulator, certificate: certificatePath, key: keyPath)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.isEmpty, "quiet success: \(added.stderr)")
        #expect(added.stdout.contains("CN=e2e-backup"))
        try EngineProcessTests.addSchedule(cli, name: "nightly")
        let run = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(try run.json()["status"] as? String == "success")
        let listed = try cli.run(["tenants", "list", "--json"])
        let tenant = try #require((try listed.json()["tenants"] as? [[String: Any]])?.first)
        #expect(tenant["certificate_file"] as? String == certificatePath)
        #expect(tenant["private_key_file"] as? String == keyPath)
        let keyLine = String(certificate.privateKeyPEM.split(separator: "\n")[1])
        for text in [added.stdout, added.stderr, run.stdout, run.stderr, listed.stdout, try cli.databaseContent()] {
            #expect(!text.contains(keyLine))
        }
    }

    @Test func badCertificateInputExitsTwoNamingTheFileAndWritesNothing() throws {
        let cli = CLI()
        let simulator = try SimulatorProcess()
        let mine = try Self.files(cli, try SimulatedCertificate.make(commonName: "mine"))
        let theirs = try Self.files(cli, try SimulatedCertificate.make(commonName: "theirs"), name: "theirs")
        let notes = cli.folder.appendingPathComponent("notes.pem").path
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: notes))
        let missing = cli.folder.appendingPathComponent("missing.pem").path
        for (certificate, key, named) in [
            (notes, mine.key, notes), (mine.certificate, theirs.key, theirs.key), (missing, mine.key, missing),
        ] {
            let added = try Self.addTenant(cli, simulator, certificate: certificate, key: key)
            #expect(added.status == 2, "\(added.stderr)")
            #expect(added.stderr.contains(named), "\(added.stderr)")
            #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing written")
        }
    }

    @Test func anExpiredCertificateWarnsWhenAddedAndFailsTheRunWithAuthFailed() throws {
        let cli = CLI()
        let expired = try SimulatedCertificate.make(
            commonName: "e2e-expired", notValidBefore: Date(timeIntervalSinceNow: -90 * 86_400),
            notValidAfter: Date(timeIntervalSinceNow: -3600))
        let (certificatePath, keyPath) = try Self.files(cli, expired)
        let simulator = try SimulatorProcess(extra: ["--client-certificate", certificatePath])
        let added = try Self.addTenant(cli, simulator, certificate: certificatePath, key: keyPath)
        #expect(added.status == 0)
        #expect(added.stderr.contains("expired on"), "\(added.stderr)")
        try EngineProcessTests.addSchedule(cli, name: "nightly")
        let run = try cli.run(["run", "contoso/nightly", "--json"])
        #expect(run.status == 1)
        #expect(try run.json()["error_code"] as? String == "GRAPH_AUTH_FAILED")
        let doctor = try cli.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("FAIL certificate of tenant contoso"), "\(doctor.stdout)")
    }
}
