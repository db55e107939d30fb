import Foundation
import Testing

@testable import TenantPilotCore

/// A command closes its store when it ends: the WAL is checkpointed into the file and removed
/// at once, as when the last reference to the store goes, and the store refuses further use.
@Suite struct StoreCloseTests {
    @Test func closingCheckpointsAndRemovesTheWALAndEndsTheStore() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("tp.sqlite")
        let store = try await Store.open(path: path)
        let request = try NewTenant(
            name: "contoso", tenantId: "11111111-2222-3333-4444-555555555555", clientId: "app", secretEnv: "S",
            secretFile: nil, graphURL: nil, authorityURL: nil)
        _ = try await TenantService(store: store).add(request, actor: "admin", at: Date())
        _ = try await TenantService(store: store).list()
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))

        try await store.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        await #expect(throws: TenantPilotError.self) { try await TenantService(store: store).list() }

        let reopened = try await Store.open(path: path)
        #expect(try await TenantService(store: reopened).list().map(\.name) == ["contoso"])
    }
}
