import Foundation

/// The per-tenant lock between backups and restores: `<db>.locks/tenant-<id>.lock`. Every
/// backup run of the tenant's schedules holds it shared (any number at once); a restore writing
/// into the tenant holds it exclusive. So a backup never captures a half-restored tenant (its
/// run is skipped `CONCURRENT_RUN`), and two restores into one tenant never run at once. The
/// kernel releases it when the process dies.
public enum TenantWriteLock {
    public static func path(store: Store, tenantId: Int64) -> String {
        store.lockDirectory + "/tenant-\(tenantId).lock"
    }

    /// For a backup run: nil while a restore writes into the tenant.
    public static func shared(store: Store, tenantId: Int64) throws(TenantPilotError) -> FileLock? {
        try store.ensureLockDirectory()
        return try FileLock.tryAcquireShared(path: path(store: store, tenantId: tenantId))
    }

    /// For a restore: nil while a backup runs or another restore writes into the tenant.
    public static func exclusive(store: Store, tenantId: Int64) throws(TenantPilotError) -> FileLock? {
        try store.ensureLockDirectory()
        return try FileLock.tryAcquire(path: path(store: store, tenantId: tenantId))
    }
}
