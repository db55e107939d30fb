import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

@Suite struct SecretSourceTests {
    private func temporaryFile(_ contents: String, mode: Int) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tp-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("secret").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func aPrivateFileIsReadWithItsTrailingNewlineTrimmed() throws {
        let path = try temporaryFile("abc~def\n", mode: 0o600)
        #expect(try SecretSource.file(path).read(environment: [:]) == "abc~def")
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func aFileOthersMayReadIsRefusedAsSshDoes(_ mode: Int) throws {
        let path = try temporaryFile("top-secret-value\n", mode: mode)
        let error = #expect(throws: TenantPilotError.self) { try SecretSource.file(path).read(environment: [:]) }
        #expect(error?.code == ErrorCode.credentialsUnavailable)
        #expect(error?.message.contains(String(format: "mode %04o", mode)) == true)
        #expect(error?.message.contains("chmod 600 \(path)") == true)
        #expect(error?.message.contains("top-secret-value") == false)
    }

    @Test func aMissingFileIsUnavailable() {
        let error = #expect(throws: TenantPilotError.self) {
            try SecretSource.file("/nonexistent/tp-secret").read(environment: [:])
        }
        #expect(error?.code == ErrorCode.credentialsUnavailable)
    }

    @Test(arguments: [[String: String](), ["TP_SECRET": ""], ["TP_SECRET": "\n"]])
    func aMissingOrEmptyVariableIsUnavailable(_ environment: [String: String]) {
        let error = #expect(throws: TenantPilotError.self) {
            try SecretSource.environment("TP_SECRET").read(environment: environment)
        }
        #expect(error?.code == ErrorCode.credentialsUnavailable)
        #expect(error?.message.contains("TP_SECRET") == true)
    }

    @Test func aClientWithoutItsSecretSendsNothing() async throws {
        try await withSimulator(simulatorConfiguration(.policiesPerType(1))) { simulator in
            let connection = GraphConnection(
                tenantGUID: simulatedTenant, clientID: "client-app", secret: .environment("TP_ABSENT"),
                graphURL: simulator.baseURL, authorityURL: simulator.baseURL)
            let client = URLSessionGraphClient(connection: connection, dependencies: Dependencies(environment: [:]))
            let error = await caught { try await client.listPolicies(of: try policyType("deviceConfiguration")) }
            #expect(error?.code == ErrorCode.credentialsUnavailable)
            #expect(simulator.requestCounts.http == 0)
        }
    }
}

@Suite struct RetryAfterTests {
    private static let now = Date(timeIntervalSince1970: 784_111_747)  // Sun, 06 Nov 1994 08:49:07 GMT

    @Test(
        arguments: [
            ("120", 120.0), (" 7 ", 7), ("0.5", 0.5), ("Sun, 06 Nov 1994 08:49:37 GMT", 30),
            ("Sunday, 06-Nov-94 08:49:37 GMT", 30),
            ("Sun Nov  6 08:49:37 1994", 30), ("9223372036854775807", 86_400),
            ("1" + String(repeating: "0", count: 40), 86_400),
        ] as [(String, Double)])
    func bothFormsGiveTheWait(_ header: String, _ seconds: Double) throws {
        let wait = try #require(RetryAfter.parse(header, now: Self.now))
        #expect(wait.seconds == seconds)
    }

    /// Not a positive wait: the client uses its own backoff.
    @Test(arguments: [
        "soon", "", "Sun, 32 Nov 1994 08:49:37 GMT", "0", "000", "-5", "1e30", "+3", "0x10", "nan", "inf", "3 s", "1.",
        ".5",
        "Sun, 06 Nov 1994 08:00:00 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 29 Feb 1995 08:49:37 GMT",
        String(repeating: "9", count: 100),
    ])
    func otherValuesAreIgnored(_ header: String) {
        #expect(RetryAfter.parse(header, now: Self.now) == nil)
    }

    @Test func datesAreWrittenAndReadInGMT() {
        let text = RetryAfter.httpDateString(Self.now)
        #expect(text == "Sun, 06 Nov 1994 08:49:07 GMT")
        #expect(RetryAfter.httpDate(text) == Self.now)
    }
}
