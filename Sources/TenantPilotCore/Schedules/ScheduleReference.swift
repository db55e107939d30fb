import Foundation
import GRDB

/// How a user names a schedule: its integer id, or `TENANT/NAME`.
public enum ScheduleReference: Sendable, Equatable, CustomStringConvertible {
    case id(Int64)
    case name(tenant: String, schedule: String)

    public init(parsing text: String) throws(TenantPilotError) {
        if let number = Int64(text), number > 0 {
            self = .id(number)
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalid("\"\(text)\" is not a schedule id or TENANT/NAME; see `tenantpilot schedules list`")
        }
        self = .name(
            tenant: InputValidation.normalized(String(parts[0])), schedule: InputValidation.normalized(String(parts[1]))
        )
    }

    public var description: String {
        switch self {
        case .id(let id): "\(id)"
        case .name(let tenant, let schedule): "\(tenant)/\(schedule)"
        }
    }

    /// The schedule and its tenant. A removed schedule is found by id (its history stays
    /// readable) but not by name (the name may have been reused).
    public func resolve(_ db: Database) throws -> (BackupSchedule, Tenant) {
        let schedule: BackupSchedule?
        switch self {
        case .id(let id):
            schedule = try BackupSchedule.fetchOne(db, key: id)
        case .name(let tenantName, let scheduleName):
            guard let tenant = try Tenant.filter(Column("name") == tenantName).fetchOne(db) else {
                throw TenantPilotError.notFound("no tenant named \"\(tenantName)\"; see `tenantpilot tenants list`")
            }
            schedule =
                try BackupSchedule
                .filter(
                    Column("tenant_id") == tenant.id && Column("name") == scheduleName && Column("removed_at") == nil
                )
                .fetchOne(db)
        }
        guard let schedule, let tenant = try Tenant.fetchOne(db, key: schedule.tenantId) else {
            throw TenantPilotError.notFound("no schedule \(self); see `tenantpilot schedules list`")
        }
        return (schedule, tenant)
    }
}
