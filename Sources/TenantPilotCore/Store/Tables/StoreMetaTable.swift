/// `store_meta`: a few facts about the store itself, by key — when dispatch last ran and with
/// which time-zone data — so that a clock stepped back or new zone rules are noticed by the
/// next dispatch.
public protocol StoreMetaTable {
    func value(_ key: StoreMetaKey) throws -> String?
    func set(_ key: StoreMetaKey, _ value: String) throws
}

/// The keys of `store_meta` in use.
public enum StoreMetaKey: String, Sendable {
    /// The instant (ISO 8601) of the latest dispatch's clock.
    case lastDispatchAt = "last_dispatch_at"
    /// The time-zone data version (`2025b`) the schedules' next slots were computed with.
    case zoneDataVersion = "zone_data_version"
}
