import Foundation

/// The per-tenant lock between backups and restores (`StoreLockName.tenant`: on SQLite
/// `<db>.locks/tenant-<id>.lock`, on PostgreSQL an advisory lock in its shared and exclusive
/// forms). Every backup run of the tenant's schedules holds it shared (any number at once, on
/// any hosts); a restore writing into the tenant holds it exclusive. So a backup never captures
/// a half-restored tenant (its run is skipped `CONCURRENT_RUN`), and two restores into one
/// tenant never run at once. It is released when its holder dies.
public enum TenantWriteLock {
    /// For a backup run: nil while a restore writes into the tenant.
    public static func shared(store: Store, tenantId: Int64) async throws(TenantPilotError) -> StoreLock? {
        try await store.tryLock(.tenant(tenantId), mode: .shared)
    }

    /// For a restore: nil while a backup runs or another restore writes into the tenant.
    public static func exclusive(store: Store, tenantId: Int64) async throws(TenantPilotError) -> StoreLock? {
        try await store.tryLock(.tenant(tenantId), mode: .exclusive)
    }
}
