import Foundation
import TenantPilotCore

extension CommandContext {
    /// Opens a store that must exist already: a command that only reads or changes what is
    /// there never creates one (a wrong path fails loudly instead of starting an empty store).
    /// For PostgreSQL, a database without tenantpilot's tables is no store either.
    func openExistingStore() async throws(TenantPilotError) -> Store {
        let store = try await Store.open(storeLocation, mustExist: true, logger: dependencies.logger)
        opened.add(store)
        return store
    }
}
