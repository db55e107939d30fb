import GRDB

extension Store {
    /// Runs `body` in one write transaction; database failures become `STORE_UNAVAILABLE`,
    /// and a `TenantPilotError` thrown inside rolls back and passes through unchanged.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(TenantPilotError) -> T {
        do {
            return try writer.write(body)
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("store write failed (\(path)): \(Store.describe(error))", code: "STORE_UNAVAILABLE")
        }
    }

    /// Runs `body` in a read-only snapshot.
    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(TenantPilotError) -> T {
        do {
            return try writer.read(body)
        } catch let error as TenantPilotError {
            throw error
        } catch {
            throw .failed("store read failed (\(path)): \(Store.describe(error))", code: "STORE_UNAVAILABLE")
        }
    }
}
