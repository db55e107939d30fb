import GRDB

/// Converts database failures to `TenantPilotError` at the boundary of the backup and
/// retention services, so no `DatabaseError` reaches a command.
enum StoreAccess {
    /// Runs `body`, passing `TenantPilotError` through and wrapping anything else as
    /// `STORE_UNAVAILABLE` with `action` ("list backup sets") in the message.
    static func perform<T>(_ action: String, _ body: () throws -> T) throws(TenantPilotError) -> T {
        do {
            return try body()
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("cannot \(action): \(Store.describe(error))", code: "STORE_UNAVAILABLE")
        }
    }
}
