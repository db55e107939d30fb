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
    public func resolve(_ tx: any StoreTransaction) throws -> (BackupSchedule, Tenant) {
        let schedule: BackupSchedule?
        switch self {
        case .id(let id):
            schedule = try tx.schedules.find(id: id)
        case .name(let tenantName, let scheduleName):
            schedule = try tx.schedules.active(
                tenantId: try tx.tenants.require(named: tenantName).rowID, named: scheduleName)
        }
        guard let schedule, let tenant = try tx.tenants.find(id: schedule.tenantId) else {
            throw TenantPilotError.notFound("no schedule \(self); see `tenantpilot schedules list`")
        }
        return (schedule, tenant)
    }
}
