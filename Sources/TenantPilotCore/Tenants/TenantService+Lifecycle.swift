import Foundation

/// `tenants show`, `update` and `remove [--purge]`: a customer's tenant from onboarding to
/// offboarding. Each change and its audit entries are one transaction.
///
/// A removed tenant is not deleted: its row stays (`removed_at`), so that its kept backups and
/// run history, and every audit entry, still name it; it is no longer listed, backed up or
/// checked by `doctor`, and its name may be given to a new tenant. `--purge` deletes what the
/// tenant owned — its backup sets with their items, the payloads no other set references, its
/// runs, its policies and the notifications of its runs — and leaves the row (`purged_at`) and
/// the audit log, which gains `tenant.purged`.
extension TenantService {
    /// A tenant as `tenants show` presents it.
    public struct Overview: Sendable {
        public let tenant: Tenant
        /// Its schedules that are not removed, by name.
        public let schedules: [BackupSchedule]
        public let backupSets: Int
        public let pinnedSets: Int
        public let latestSet: BackupSetSummary?
        public let runs: Int
        public let auditEntries: Int
    }

    /// The tenant named (or numbered) `reference`, a removed one too, with what it holds.
    public func show(_ reference: String) async throws(TenantPilotError) -> Overview {
        try await store.read { tx in
            let tenant = try Self.resolve(reference, tx, includingRemoved: true)
            let sets = try tx.backupSets.finished(tenantId: tenant.rowID, scheduleId: nil)
            return Overview(
                tenant: tenant,
                schedules: try tx.schedules.active(tenantIds: [tenant.rowID]).sorted { $0.name < $1.name },
                backupSets: sets.count, pinnedSets: sets.filter(\.pinned).count, latestSet: sets.first,
                runs: try tx.runs.ids(ofTenant: tenant.rowID).count,
                auditEntries: try tx.audit.count(tenantId: tenant.rowID))
        }
    }

    /// Changes a tenant that is not removed; writes `tenant.updated` with the changed fields (where
    /// the credential is read from, never the secret). Returns the tenant and the names of the
    /// fields that changed (empty: nothing differed, and nothing was written).
    public func update(_ reference: String, changes: TenantChanges, actor: String, at now: Date)
        async throws(TenantPilotError) -> (tenant: Tenant, changed: [String])
    {
        try await store.write { tx in
            // Before the tenant is read: two updates of one tenant take their turn, so neither
            // writes back a field that the other changed.
            try tx.lockRegistrations()
            let old = try Self.resolve(reference, tx, includingRemoved: false)
            var tenant = old
            if let name = changes.name { tenant.name = name }
            if let clientId = changes.clientId { tenant.clientId = clientId }
            changes.credential?.apply(to: &tenant)
            if let url = changes.graphURL { tenant.graphURL = url }
            if let url = changes.authorityURL { tenant.authorityURL = url }
            var metadata: [String: JSONValue] = [:]
            if tenant.name != old.name { metadata["name"] = .string(tenant.name) }
            if tenant.clientId != old.clientId { metadata["client_id"] = .string(tenant.clientId) }
            if tenant.secretSourceDescription != old.secretSourceDescription || changes.credential?.certificate != nil {
                metadata["secret_source"] = .string(tenant.secretSourceDescription)
            }
            if let certificate = changes.credential?.certificate {
                metadata["certificate_thumbprint"] = .string(certificate.summary.thumbprint)
            }
            if tenant.graphURL != old.graphURL { metadata["graph_url"] = .string(tenant.graphURL) }
            if tenant.authorityURL != old.authorityURL { metadata["authority_url"] = .string(tenant.authorityURL) }
            if metadata.isEmpty { return (tenant, []) }
            try Self.checkNameFree(tx, tenant.name, except: tenant.id)
            try Self.checkApplicationFree(
                tx, tenantGuid: tenant.tenantGuid, clientId: tenant.clientId, except: tenant.id)
            try tx.tenants.update(tenant)
            try tx.audit.record(
                at: now, actor: actor, tenantId: tenant.id, action: .tenantUpdated, resource: .tenant,
                resourceId: tenant.id.map(String.init),
                metadata: ["changes": .object(metadata), "previous_name": .string(old.name)])
            return (tenant, metadata.keys.sorted())
        }
    }

    /// What `tenants remove` did.
    public struct Removal: Sendable {
        public let tenant: Tenant
        /// The schedules removed with it (`--with-schedules`).
        public let removedSchedules: [BackupSchedule]
        /// The tenant had been removed before (a later `--purge`).
        public let wasRemoved: Bool
        /// The tenant had been purged before: nothing was deleted.
        public let wasPurged: Bool
        /// Sets and runs that stay (zero after a purge).
        public let keptSets: Int
        public let keptRuns: Int
        /// What the purge deleted; nil without `--purge`.
        public let purge: PurgeCounts?
        /// The audit entries naming the tenant, which always stay (its new ones included).
        public let auditEntries: Int
        /// Pages given back to the file system after the purge.
        public var pagesReclaimed: Int
    }

    /// What a purge deleted.
    public struct PurgeCounts: Sendable, Equatable {
        public var sets = 0
        public var items = 0
        public var payloads = 0
        public var bytesFreed: Int64 = 0
        public var runs = 0
        public var policies = 0
        public var notifications = 0

        public init() {}
    }

    /// Removes a tenant: refused while it has schedules unless `withSchedules` (which removes them,
    /// each with its `backup_schedule.removed`); writes `tenant.removed`. Its backups and history
    /// stay, unless `purge`, which deletes them in the same transaction, writes `tenant.purged`
    /// and then gives the space back. A removed tenant may be purged later; purging a purged one
    /// again changes nothing.
    public func remove(_ reference: String, withSchedules: Bool, purge: Bool, actor: String, at now: Date)
        async throws(TenantPilotError) -> Removal
    {
        var removal = try await store.write { tx in
            try Self.remove(tx, reference, withSchedules: withSchedules, purge: purge, actor: actor, at: now)
        }
        if let counts = removal.purge, counts.sets > 0 || counts.runs > 0 || counts.policies > 0 {
            removal.pagesReclaimed = try await store.releaseFreePages()
        }
        return removal
    }

    private static func remove(
        _ tx: any StoreTransaction, _ reference: String, withSchedules: Bool, purge: Bool, actor: String,
        at now: Date
    ) throws -> Removal {
        let tenant = try resolve(reference, tx, includingRemoved: purge)
        if tenant.isRemoved && !purge {
            throw TenantPilotError.invalid(
                "tenant \"\(tenant.name)\" was removed on \(tenant.removedAt?.text ?? "?"); to delete its backups "
                    + "and history give --purge")
        }
        let schedules = try tx.schedules.active(tenantIds: [tenant.rowID]).sorted { $0.name < $1.name }
        if !schedules.isEmpty && !withSchedules {
            let names = schedules.map { "\(tenant.name)/\($0.name)" }.joined(separator: ", ")
            throw TenantPilotError.invalid(
                "tenant \"\(tenant.name)\" still has \(schedules.count) schedule\(schedules.count == 1 ? "" : "s") "
                    + "(\(names)); remove them first (`tenantpilot schedules remove`) or give --with-schedules")
        }
        if purge, let running = try tx.runs.unfinished().first(where: { $0.tenantId == tenant.rowID }) {
            throw TenantPilotError.failed(
                "run \(running.rowID) of tenant \"\(tenant.name)\" is \(running.status.rawValue); purge when it has "
                    + "ended (a run whose process died is marked ABANDONED by the next `tenantpilot dispatch`)")
        }
        let removedSchedules = try schedules.map { schedule in
            try ScheduleService.markRemoved(tx, schedule, tenant: tenant, actor: actor, at: now)
        }
        let sets = try tx.backupSets.all(ofTenant: tenant.rowID)
        let runIds = try tx.runs.ids(ofTenant: tenant.rowID)
        let wasRemoved = tenant.isRemoved
        if !wasRemoved {
            try tx.tenants.markRemoved(tenant.rowID, at: Instant(now))
            try tx.audit.record(
                at: now, actor: actor, tenantId: tenant.id, action: .tenantRemoved, resource: .tenant,
                resourceId: String(tenant.rowID),
                metadata: [
                    "name": .string(tenant.name), "tenant_id": .string(tenant.tenantGuid),
                    "schedules_removed": .array(removedSchedules.map { .int($0.rowID) }),
                    "backup_sets": .int(Int64(sets.count)), "runs": .int(Int64(runIds.count)),
                    "purge": .bool(purge),
                ])
        }
        var counts: PurgeCounts?
        if purge && tenant.purgedAt == nil {
            var purged = PurgeCounts()
            purged.sets = sets.count
            purged.items = sets.reduce(0) { $0 + $1.itemCount }
            let payloads = try BackupSetDeletion.delete(tx, setIds: sets.map(\.id))
            purged.payloads = payloads.count
            purged.bytesFreed = payloads.reduce(0) { $0 + $1.size }
            purged.notifications = try tx.notifications.delete(forRuns: runIds)
            try tx.runs.delete(runIds)
            purged.runs = runIds.count
            purged.policies = try tx.policies.deleteAll(ofTenant: tenant.rowID)
            try tx.tenants.markPurged(tenant.rowID, at: Instant(now))
            try tx.audit.record(
                at: now, actor: actor, tenantId: tenant.id, action: .tenantPurged, resource: .tenant,
                resourceId: String(tenant.rowID),
                metadata: [
                    "name": .string(tenant.name), "tenant_id": .string(tenant.tenantGuid),
                    "backup_sets": .int(Int64(purged.sets)), "items": .int(Int64(purged.items)),
                    "payloads": .int(Int64(purged.payloads)), "bytes_freed": .int(purged.bytesFreed),
                    "runs": .int(Int64(purged.runs)), "policies": .int(Int64(purged.policies)),
                    "notifications": .int(Int64(purged.notifications)),
                ])
            counts = purged
        } else if purge {
            counts = PurgeCounts()
        }
        guard let after = try tx.tenants.find(id: tenant.rowID) else {
            throw TenantPilotError.failed("tenant \(tenant.rowID) vanished while it was being removed")
        }
        return Removal(
            tenant: after, removedSchedules: removedSchedules, wasRemoved: wasRemoved,
            wasPurged: tenant.purgedAt != nil,
            keptSets: purge ? 0 : sets.filter { $0.status != .building }.count, keptRuns: purge ? 0 : runIds.count,
            purge: counts, auditEntries: try tx.audit.count(tenantId: tenant.rowID), pagesReclaimed: 0)
    }

    /// A tenant by name, or by its id (a tenant name is never a number); removed ones only when
    /// asked (the newest of that name, when no tenant that is not removed has it).
    static func resolve(_ reference: String, _ tx: any StoreTransaction, includingRemoved: Bool) throws -> Tenant {
        if let id = Int64(reference), id > 0 {
            guard let tenant = try tx.tenants.find(id: id), includingRemoved || !tenant.isRemoved else {
                throw TenantPilotError.notFound("no tenant with id \(id); see `tenantpilot tenants list`")
            }
            return tenant
        }
        let name = InputValidation.normalized(reference)
        return includingRemoved ? try tx.tenants.requireWithHistory(named: name) : try tx.tenants.require(named: name)
    }
}
