import Crypto
import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// docs/operations.md §2: certificate credentials, the client assertion they sign, and what is refused.
@Suite struct CertificateCredentialTests {
    static let registered = Result { try SimulatedCertificate.make(commonName: "tenantpilot-test") }

    /// A client of the simulated tenant signing in with the certificate in `folder`.
    func certificateClient(_ simulator: GraphSimulator, _ credential: CertificateCredential, now: Date = Date())
        -> URLSessionGraphClient
    {
        let connection = GraphConnection(
            tenantGUID: simulatedTenant, clientID: "client-app", credential: .certificate(credential),
            graphURL: simulator.baseURL,
            authorityURL: simulator.baseURL)
        return URLSessionGraphClient(
            connection: connection,
            dependencies: Dependencies(clock: Clock.fixed(now), sleep: RecordedSleeps().sleep, environment: [:]),
            pacer: GraphPacer(timing: VirtualTime().timing))
    }

    func configuration(certificates: [String]) -> GraphSimulator.Configuration {
        var configuration = simulatorConfiguration(.counts(["deviceConfiguration": 2]))
        configuration.clientCertificates = certificates
        configuration.clientSecret = "no secret will do"
        return configuration
    }

    @Test(arguments: [true, false])
    func aRegisteredCertificateSignsInWithOnePEMOrTwo(_ onePEM: Bool) async throws {
        let certificate = try Self.registered.get()
        let folder = TemporaryDirectory()
        let credential: CertificateCredential
        if onePEM {
            try folder.write("both.pem", certificate.certificatePEM + "\n" + certificate.privateKeyPEM, mode: 0o600)
            credential = CertificateCredential(certificateFile: folder.file("both.pem"))
        } else {
            try folder.write("app.crt", certificate.certificatePEM, mode: 0o644)
            try folder.write("app.key", certificate.privateKeyPEM, mode: 0o600)
            credential = CertificateCredential(
                certificateFile: folder.file("app.crt"), privateKeyFile: folder.file("app.key"))
        }
        try await withSimulator(configuration(certificates: [certificate.certificatePEM])) { simulator in
            let client = certificateClient(simulator, credential)
            let listed = try await client.listPolicies(of: try policyType("deviceConfiguration"))
            #expect(listed.count == 2)
            #expect(simulator.requestCounts.token == 1)
        }
    }

    @Test func theAssertionIsAPS256JWTNamingTheCertificateAndTheTokenEndpoint() throws {
        let certificate = try Self.registered.get()
        let folder = TemporaryDirectory()
        try folder.write("both.pem", certificate.privateKeyPEM + "\n" + certificate.certificatePEM, mode: 0o600)
        let loaded = try CertificateCredential(certificateFile: folder.file("both.pem")).load()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let audience = "https://login.microsoftonline.com/\(simulatedTenant)/oauth2/v2.0/token"
        let jwt = try loaded.assertion(clientID: "client-app", audience: audience, now: now)
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        let header = try JSONValue.parse(try #require(Base64URL.decode(parts[0])))
        let claims = try JSONValue.parse(try #require(Base64URL.decode(parts[1])))
        #expect(header["alg"] == .string("PS256"))
        #expect(header["typ"] == .string("JWT"))
        let der = try #require(
            Data(
                base64Encoded: certificate.certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }
                    .joined()))
        #expect(header["x5t#S256"] == .string(Base64URL.encode(Data(SHA256.hash(data: der)))))
        #expect(claims["aud"] == .string(audience))
        #expect(claims["iss"] == .string("client-app"))
        #expect(claims["sub"] == .string("client-app"))
        #expect(UUID(uuidString: claims["jti"]?.stringValue ?? "") != nil)
        #expect(claims["nbf"] == .int(1_800_000_000))
        #expect(claims["iat"] == .int(1_800_000_000))
        guard case .int(let expiry)? = claims["exp"] else {
            Issue.record("no exp")
            return
        }
        #expect(expiry > 1_800_000_000 && expiry <= 1_800_000_600, "at most ten minutes")
        let second = try loaded.assertion(clientID: "client-app", audience: audience, now: now)
        #expect(second != jwt, "a fresh jti each time")
        #expect(loaded.summary.subject.contains("CN=tenantpilot-test"))
        #expect(loaded.summary.thumbprint.count == 40)
    }

    @Test func anUnregisteredCertificateIsRefusedAsAuthFailed() async throws {
        let registered = try Self.registered.get()
        let other = try SimulatedCertificate.make(commonName: "somebody-else")
        let folder = TemporaryDirectory()
        try folder.write("other.pem", other.certificatePEM + other.privateKeyPEM, mode: 0o600)
        try await withSimulator(configuration(certificates: [registered.certificatePEM])) { simulator in
            let client = certificateClient(simulator, CertificateCredential(certificateFile: folder.file("other.pem")))
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphAuthFailed)
            #expect(error?.message.contains("AADSTS700027") == true)
        }
    }

    @Test func anExpiredCertificateFailsTheRunBeforeAnyTokenRequest() async throws {
        let expired = try SimulatedCertificate.make(
            notValidBefore: Date(timeIntervalSinceNow: -400 * 86_400),
            notValidAfter: Date(timeIntervalSinceNow: -86_400))
        let folder = TemporaryDirectory()
        try folder.write("old.pem", expired.certificatePEM + expired.privateKeyPEM, mode: 0o600)
        try await withSimulator(configuration(certificates: [expired.certificatePEM])) { simulator in
            let client = certificateClient(simulator, CertificateCredential(certificateFile: folder.file("old.pem")))
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.graphAuthFailed)
            #expect(error?.message.contains("expired on") == true)
            #expect(simulator.requestCounts.token == 0)
        }
    }

    @Test func badInputNamesTheFileAndNeverTheKey() throws {
        let certificate = try Self.registered.get()
        let other = try SimulatedCertificate.make(commonName: "other")
        let folder = TemporaryDirectory()
        try folder.write("app.crt", certificate.certificatePEM, mode: 0o644)
        try folder.write("app.key", certificate.privateKeyPEM, mode: 0o600)
        try folder.write("other.key", other.privateKeyPEM, mode: 0o600)
        try folder.write("notes.txt", "not a certificate\n", mode: 0o644)
        try folder.write(
            "encrypted.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
            mode: 0o600)
        let keyBody = certificate.privateKeyPEM.split(separator: "\n")[1]
        let cases: [(String, String?, String)] = [
            ("notes.txt", "app.key", "notes.txt holds no PEM certificate"),
            ("app.crt", "other.key", "does not belong to the certificate"),
            ("app.crt", nil, "holds no PEM private key"),
            ("app.crt", "missing.key", "missing.key"),
            ("missing.crt", "app.key", "missing.crt"),
            ("app.crt", "encrypted.key", "is encrypted"),
        ]
        for (certificateFile, keyFile, fault) in cases {
            let error = #expect(throws: TenantPilotError.self) {
                _ = try InputValidation.certificateCredential(
                    certificateFile: certificateFile, privateKeyFile: keyFile, workingDirectory: folder.path,
                    now: Date())
            }
            #expect(error?.exitCode == 2)
            #expect(error?.message.contains(fault) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(String(keyBody)) == false)
        }
        let valid = try InputValidation.certificateCredential(
            certificateFile: "app.crt", privateKeyFile: "app.key", workingDirectory: folder.path, now: Date())
        #expect(valid.credential.certificateFile == folder.file("app.crt"))
        #expect(valid.warnings.isEmpty)
        let soon = try InputValidation.certificateCredential(
            certificateFile: "app.crt", privateKeyFile: "app.key", workingDirectory: folder.path,
            now: Date(timeIntervalSinceNow: 350 * 86_400))
        #expect(soon.warnings.first?.contains("expires on") == true)
    }
}
