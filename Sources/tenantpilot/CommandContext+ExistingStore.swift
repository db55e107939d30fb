import Foundation
import TenantPilotCore

extension CommandContext {
    /// Opens a store that must exist already: a command that only reads or changes what is
    /// there never creates one (a wrong path fails loudly instead of starting an empty store).
    func openExistingStore() async throws(TenantPilotError) -> Store {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw .failed(
                "no store at \(databasePath) (from --db, $TENANTPILOT_DB, $TENANTPILOT_HOME or the default); "
                    + "check the path, or create it with `tenantpilot tenants add`",
                code: .storeNotFound)
        }
        return try await openStore()
    }
}
