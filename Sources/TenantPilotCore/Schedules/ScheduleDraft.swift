import Foundation

/// Validation of the parts of a schedule that need no database: zone, timetable, policy
/// types, keep-last. Run before the store is opened, so bad input never writes anything.
public enum ScheduleInput {
    public static let maximumKeepLast = 100_000

    /// `--timezone`: an IANA zone known to the tz database.
    public static func zone(_ identifier: String) throws(TenantPilotError) -> TimeZone {
        try ScheduleZone.resolve(identifier)
    }

    /// `--at … [--days …]` or `--cron …`, exactly one of the two forms.
    public static func timetable(at times: [String], days: String?, cron: String?) throws(TenantPilotError) -> Timetable
    {
        switch (times.isEmpty, cron) {
        case (false, nil):
            return try Timetable.localTimes(parsing: times, days: Self.days(days))
        case (true, let expression?):
            if days != nil {
                throw .invalid("--days goes with --at, not with --cron (put the weekdays in the cron expression)")
            }
            return try Timetable.cron(parsing: expression)
        case (false, .some):
            throw .invalid("give either --at HH:MM or --cron EXPR, not both")
        case (true, nil):
            throw .invalid("give a timetable: --at HH:MM [--days mon,…] or --cron \"EXPR\"")
        }
    }

    /// `--types k1,k2`: known registry keys, at least one, duplicates dropped, order kept.
    /// An unknown key is refused with the nearest valid keys.
    public static func policyTypes(_ values: [String], registry: PolicyTypeRegistry) throws(TenantPilotError)
        -> [String]
    {
        let keys = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if keys.contains(where: \.isEmpty) && !keys.allSatisfy(\.isEmpty) {
            throw .invalid("--types \"\(values.joined(separator: ","))\" has an empty entry")
        }
        let nonEmpty = keys.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else {
            throw .invalid("--types must name at least one policy type; see `tenantpilot policy-types list`")
        }
        var result: [String] = []
        for key in nonEmpty where !result.contains(key) {
            guard registry.type(forKey: key) != nil else {
                let nearest = registry.suggestions(for: key).joined(separator: ", ")
                throw .invalid(
                    "unknown policy type \"\(key)\"; nearest valid keys: \(nearest) (see `tenantpilot policy-types list`)"
                )
            }
            result.append(key)
        }
        return result
    }

    /// `--days`: `daily`, `all` or `*` mean every day (as no `--days` does).
    static func days(_ value: String?) -> String? {
        guard let value else { return nil }
        return ["daily", "all", "every", "*", "everyday"].contains(value.lowercased()) ? nil : value
    }

    /// `--keep-last N`: at least 1.
    public static func keepLast(_ value: Int) throws(TenantPilotError) -> Int {
        guard value >= 1 else { throw .invalid("--keep-last \(value) must be at least 1") }
        guard value <= maximumKeepLast else {
            throw .invalid("--keep-last \(value) is above the limit of \(maximumKeepLast)")
        }
        return value
    }

    /// Refuses a timetable that never yields a slot in its zone.
    public static func checkFires(_ timetable: Timetable, in zone: TimeZone, from instant: Date)
        throws(TenantPilotError)
    {
        if timetable.nextSlot(after: instant, in: zone) == nil {
            throw .invalid("the timetable \(timetable.summary) never fires in \(zone.identifier)")
        }
    }
}

/// A validated new schedule.
public struct ScheduleDraft: Sendable {
    public var tenantName: String
    public var name: String
    public var zone: TimeZone
    /// The zone as the user named it (Foundation reports `UTC` as `GMT`).
    public var zoneIdentifier: String
    public var timetable: Timetable
    public var policyTypes: [String]
    public var keepLast: Int
    public var enabled: Bool

    public init(
        tenantName: String, name: String, timezone: String, at times: [String], days: String?, cron: String?,
        types: [String], keepLast: Int?, enabled: Bool, registry: PolicyTypeRegistry, now: Date
    ) throws(TenantPilotError) {
        self.tenantName = tenantName
        self.name = try InputValidation.name(name, what: "schedule")
        self.zone = try ScheduleInput.zone(timezone)
        self.zoneIdentifier = timezone
        self.timetable = try ScheduleInput.timetable(at: times, days: days, cron: cron)
        self.policyTypes = try ScheduleInput.policyTypes(types, registry: registry)
        self.keepLast = try ScheduleInput.keepLast(keepLast ?? BackupSchedule.defaultKeepLast)
        self.enabled = enabled
        try ScheduleInput.checkFires(timetable, in: zone, from: now)
    }
}

/// Validated changes to an existing schedule; `nil` leaves a field as it is.
public struct ScheduleChanges: Sendable {
    public var name: String?
    public var zone: TimeZone?
    public var zoneIdentifier: String?
    public var times: [String]
    public var days: String?
    public var cron: String?
    public var policyTypes: [String]?
    public var keepLast: Int?

    public init(
        name: String?, timezone: String?, at times: [String], days: String?, cron: String?, types: [String],
        keepLast: Int?, registry: PolicyTypeRegistry
    ) throws(TenantPilotError) {
        self.name = try name.map { (value: String) throws(TenantPilotError) in
            try InputValidation.name(value, what: "schedule")
        }
        self.zone = try timezone.map { (value: String) throws(TenantPilotError) in try ScheduleInput.zone(value) }
        self.zoneIdentifier = timezone
        if !times.isEmpty && cron != nil { throw .invalid("give either --at HH:MM or --cron EXPR, not both") }
        if days != nil && cron != nil { throw .invalid("--days goes with --at, not with --cron") }
        self.times = times
        self.days = days
        self.cron = cron
        if let cron { _ = try Timetable.cron(parsing: cron) }
        if !times.isEmpty { _ = try Timetable.localTimes(parsing: times, days: ScheduleInput.days(days)) }
        self.policyTypes = types.isEmpty ? nil : try ScheduleInput.policyTypes(types, registry: registry)
        self.keepLast = try keepLast.map { (value: Int) throws(TenantPilotError) in try ScheduleInput.keepLast(value) }
        if name == nil && timezone == nil && times.isEmpty && days == nil && cron == nil && types.isEmpty
            && keepLast == nil
        {
            throw .invalid(
                "nothing to update: give at least one of --name, --timezone, --at, --days, --cron, --types, --keep-last"
            )
        }
    }

    /// Whether the change touches when the schedule fires (so its next slot is recomputed).
    public var changesTiming: Bool { zone != nil || !times.isEmpty || days != nil || cron != nil }

    /// The timetable after the change.
    func timetable(from current: Timetable) throws(TenantPilotError) -> Timetable {
        if let cron { return try Timetable.cron(parsing: cron) }
        if !times.isEmpty { return try Timetable.localTimes(parsing: times, days: ScheduleInput.days(days)) }
        if let days {
            guard case .localTimes(let currentTimes, _) = current, !currentTimes.isEmpty else {
                throw .invalid(
                    "--days applies to an --at timetable; this schedule uses cron: give --at with --days, or a new --cron"
                )
            }
            return try Timetable.localTimes(
                parsing: currentTimes.sorted().map(\.description), days: ScheduleInput.days(days))
        }
        return current
    }
}
