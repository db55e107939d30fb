import Foundation
import GRDB
import GraphSimulator
import Testing

@testable import TenantPilotCore

#if canImport(Glibc)
    import Glibc
#endif

/// Input from outside the tool — names, paths, secret files, durations, Graph's strings — is
/// checked, escaped or refused, and nothing is written through a symbolic link.
@Suite struct HardeningTests {
    // MARK: - Plain text

    @Test(arguments: [
        ("plain", "plain"), ("a\nb", #"a\nb"#), ("\u{1B}[31mred", #"\u{1B}[31mred"#), ("bell\u{07}", #"bell\u{7}"#),
        ("del\u{7F}", #"del\u{7F}"#), ("c1\u{9B}", #"c1\u{9B}"#), ("rtl\u{202E}txt", #"rtl\u{202E}txt"#),
        ("nul\u{0}x", #"nul\u{0}x"#), ("👩‍💻 Café", "👩‍💻 Café"), ("tab\tx", #"tab\tx"#),
    ])
    func controlCharactersAreShownEscaped(_ text: String, _ shown: String) {
        #expect(PlainText.escaped(text) == shown)
    }

    // MARK: - Names and values

    @Test func namesAreStoredInNFCAndEmojiWithJoinersAreAccepted() throws {
        let decomposed = "Cafe\u{301}"
        #expect(try InputValidation.name(decomposed, what: "tenant") == "Caf\u{E9}")
        #expect(try InputValidation.name("👩‍💻 team", what: "tenant") == "👩‍💻 team")
        #expect(throws: TenantPilotError.self) { try InputValidation.name("a\u{202E}b", what: "tenant") }
        #expect(throws: TenantPilotError.self) { try InputValidation.name("a\u{0}b", what: "tenant") }
    }

    @Test func nfcAndNfdSpellingsOfANameAreOneTenant() async throws {
        let folder = TemporaryDirectory()
        let store = try await Store.open(path: folder.file("tp.sqlite"))
        let service = TenantService(store: store)
        func request(_ name: String) throws -> NewTenant {
            try NewTenant(
                name: name, tenantId: "00000000-0000-0000-0000-000000000001", clientId: "app", secretEnv: "S",
                secretFile: nil,
                graphURL: nil, authorityURL: nil)
        }
        _ = try await service.add(try request("Caf\u{E9}"), actor: "t", at: Date())
        await #expect(throws: TenantPilotError.self) {
            try await service.add(try request("Cafe\u{301}"), actor: "t", at: Date())
        }
        #expect(try await service.find(named: "Cafe\u{301}").name == "Caf\u{E9}")
    }

    @Test(arguments: [
        "11111111-2222-3333-4444-555555555555\n", " 11111111-2222-3333-4444-555555555555",
        "11111111-2222-3333-4444-55555555555g",
    ])
    func aGuidMustBeExact(_ value: String) {
        #expect(throws: TenantPilotError.self) { try InputValidation.guid(value, option: "--tenant-id") }
    }

    @Test func actorsAreBoundedAndPrintable() throws {
        #expect(try ActorName.validated(String(repeating: "a", count: 256)).count == 256)
        #expect(throws: TenantPilotError.self) { try ActorName.validated(String(repeating: "a", count: 257)) }
        #expect(throws: TenantPilotError.self) { try ActorName.validated("a\nb") }
        // A name from the environment that would be refused is passed over, not used.
        #expect(ActorName.resolve(explicit: nil, environment: ["SUDO_USER": "x\u{1B}", "USER": "alice"]) == "alice")
    }

    @Test func durationsLongerThanAYearAreRefused() throws {
        #expect(try DurationText.parse("8784h", option: "--grace") == 366 * 86_400)
        #expect(throws: TenantPilotError.self) { try DurationText.parse("8785h", option: "--grace") }
        #expect(throws: TenantPilotError.self) { try DurationText.parse("9223372036854775807h", option: "--grace") }
    }

    @Test func aHugeZoneNameIsRefusedWithoutLookingForSuggestions() {
        let error = #expect(throws: TenantPilotError.self) {
            try ScheduleZone.resolve(String(repeating: "Z", count: 100_000))
        }
        #expect(error?.message.contains("100000 bytes") == true)
    }

    // MARK: - Secret files

    private func secretFile(_ folder: TemporaryDirectory, _ content: String, mode: Int = 0o600) throws -> String {
        let path = folder.file("secret-\(UUID().uuidString)")
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func aPrivateRegularFileOfTheUserHoldsASecret() throws {
        let folder = TemporaryDirectory()
        let path = try secretFile(folder, "value\n")
        #expect(try SecretSource.file(path).read(environment: [:]) == "value")
        // Through a link too (as Kubernetes mounts its secrets).
        let link = folder.file("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(try SecretSource.file(link).read(environment: [:]) == "value")
    }

    @Test(arguments: [
        "/proc/self/environ", "/proc/self/cmdline", "/sys/kernel/mm/transparent_hugepage/enabled", "/dev/null",
        "/dev/zero",
    ])
    func kernelFilesAndDevicesNeverHoldASecret(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let error = #expect(throws: TenantPilotError.self) { try SecretSource.file(path).read(environment: [:]) }
        #expect(error?.code == ErrorCode.credentialsUnavailable)
        #expect(
            error?.message.contains("kernel file system") == true
                || error?.message.contains("not a regular file") == true, "\(error?.message ?? "")")
    }

    @Test func aFIFONeverHoldsASecretAndNeverBlocks() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("fifo")
        #expect(mkfifo(path, 0o600) == 0)
        let error = #expect(throws: TenantPilotError.self) { try SecretSource.file(path).read(environment: [:]) }
        #expect(error?.message.contains("not a regular file") == true)
    }

    @Test func aSecretFileOverEightKilobytesIsRefused() throws {
        let folder = TemporaryDirectory()
        #expect(
            try SecretSource.file(try secretFile(folder, String(repeating: "s", count: 8192))).read(environment: [:])
                .count == 8192)
        let error = #expect(throws: TenantPilotError.self) {
            try SecretSource.file(try secretFile(folder, String(repeating: "s", count: 8193))).read(environment: [:])
        }
        #expect(error?.message.contains("larger than 8 KB") == true)
    }

    @Test func aSecretFileOfAnotherUserIsRefused() throws {
        guard geteuid() == 0 else { return }  // only root can give a file away
        let folder = TemporaryDirectory()
        let path = try secretFile(folder, "value")
        #expect(chown(path, 65534, 65534) == 0)
        let error = #expect(throws: TenantPilotError.self) { try SecretSource.file(path).read(environment: [:]) }
        #expect(error?.message.contains("owned by uid 65534") == true)
    }

    @Test func registeringAKernelFileAsASecretIsBadInput() {
        let error = #expect(throws: TenantPilotError.self) {
            try NewTenant(
                name: "t", tenantId: "00000000-0000-0000-0000-000000000001", clientId: "app", secretEnv: nil,
                secretFile: "/proc/self/environ", graphURL: nil, authorityURL: nil)
        }
        #expect(error?.kind == .invalidInput)
        // A file that does not exist yet may be written later; doctor says so.
        #expect(
            (try? NewTenant(
                name: "t", tenantId: "00000000-0000-0000-0000-000000000001", clientId: "app", secretEnv: nil,
                secretFile: "/nonexistent/secret", graphURL: nil, authorityURL: nil)) != nil)
    }

    @Test func aFileHoldingAPrivateKeyFollowsTheSameRule() throws {
        let error = #expect(throws: CertificateCredential.Problem.self) {
            try CertificateCredential(certificateFile: "/proc/self/environ").load()
        }
        #expect(error?.message.contains("kernel file system (proc)") == true, "\(error?.message ?? "")")
        let fifoFolder = TemporaryDirectory()
        let fifo = fifoFolder.file("key.pem")
        #expect(mkfifo(fifo, 0o600) == 0)
        let refused = #expect(throws: CertificateCredential.Problem.self) {
            try CertificateCredential(certificateFile: fifo).load()
        }
        #expect(refused?.message.contains("not a regular file") == true)
    }

    // MARK: - Export

    private func exportFixture() async throws -> (BackupTestStore, Int64) {
        let fixture = try await BackupTestStore()
        let tenant = try fixture.addTenant()
        let set = try await fixture.makeSet(tenantId: tenant, scheduleId: nil, items: SamplePolicies.items(2))
        return (fixture, set)
    }

    @Test func anExportNeverWritesThroughALinkedTypeFolder() async throws {
        let (fixture, set) = try await exportFixture()
        let out = TemporaryDirectory()
        let outside = TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: out.file("deviceConfiguration"), withDestinationPath: outside.path)
        let error = await #expect(throws: TenantPilotError.self) {
            try await BackupExporter(store: fixture.backups).export(
                setId: set, to: out.url, force: true, actor: "admin", at: Date())
        }
        #expect(error?.message.contains("symbolic link") == true, "\(error?.message ?? "")")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty, "nothing written outside --out")
    }

    @Test func anExportReplacesALinkedFileInsteadOfWritingThroughIt() async throws {
        let (fixture, set) = try await exportFixture()
        let out = TemporaryDirectory()
        let elsewhere = TemporaryDirectory()
        let victim = elsewhere.file("victim")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        let files = try await BackupExporter(store: fixture.backups).export(
            setId: set, to: out.url, force: false, actor: "admin", at: Date()
        ).files
        let first = try #require(files.first)
        try FileManager.default.removeItem(at: first)
        try FileManager.default.createSymbolicLink(atPath: first.path, withDestinationPath: victim)
        _ = try await BackupExporter(store: fixture.backups).export(
            setId: set, to: out.url, force: true, actor: "admin", at: Date())
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(SafeFiles.entry(at: first.path) == .file)
    }

    @Test func anEmptyOutIsBadInput() {
        let error = #expect(throws: TenantPilotError.self) { try BackupExporter.outputFolder("") }
        #expect(error?.kind == .invalidInput)
    }

    // MARK: - A full disk

    @Test func aStoreThatFillsUpMidRunFailsTheRunInsteadOfEndingItPartial() async throws {
        let harness = try await BackupServiceTests.Harness()
        try await withSimulator(simulatorConfiguration(.policiesPerType(30))) { simulator in
            // The writer connection may grow the file by a few pages only: the disk is "full".
            try await harness.store.writer.writeWithoutTransaction { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                _ = try Row.fetchAll(db, sql: "PRAGMA max_page_count = \(pages + 8)")
            }
            let outcome = await harness.backup(
                simulator, ["deviceConfiguration", "settingsCatalogPolicy", "groupPolicyConfiguration"])
            #expect(outcome.fatal?.code.rawValue == "STORE_UNAVAILABLE", "\(String(describing: outcome.fatal))")
            #expect(outcome.backupSetId == nil)
        }
    }
}
