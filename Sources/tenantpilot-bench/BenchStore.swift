import Foundation
import GRDB
import TenantPilotCore

/// Seeding a benchmark's store: created and migrated by `Store.open` as the binary would, then
/// filled with plain SQL (the services have no bulk-insert methods, and need none).
enum BenchStore {
    static func seed<T>(path: String, _ body: (Database) throws -> T) async throws -> T {
        _ = try await Store.open(path: path)
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.write(body)
    }
}
