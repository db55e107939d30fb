import Foundation
import GRDB

/// A backup schedule: which policy types of which tenant to back up, on what timetable in
/// which IANA zone, and how many sets to keep. `nextRunAt` is its next slot (UTC), kept in
/// the store so that dispatch finds due schedules through an index.
public struct BackupSchedule: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "backup_schedules"
    public static let defaultKeepLast = 30

    public var id: Int64?
    public var tenantId: Int64
    public var name: String
    public var enabled: Bool
    public var timezone: String
    /// `Timetable`'s JSON form.
    public var timetable: String
    /// JSON array of policy-type keys.
    public var policyTypes: String
    public var keepLast: Int
    public var nextRunAt: String?
    public var lastRunAt: String?
    public var lastRunStatus: String?
    public var createdAt: String
    public var updatedAt: String
    public var removedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, enabled, timezone, timetable
        case tenantId = "tenant_id"
        case policyTypes = "policy_types"
        case keepLast = "keep_last"
        case nextRunAt = "next_run_at"
        case lastRunAt = "last_run_at"
        case lastRunStatus = "last_run_status"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case removedAt = "removed_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var rowID: Int64 { id ?? 0 }

    /// The decoded timetable.
    public func decodedTimetable() throws(TenantPilotError) -> Timetable {
        do {
            return try JSONDecoder().decode(Timetable.self, from: Data(timetable.utf8))
        } catch {
            throw .failed("schedule \(rowID) has an unreadable timetable \(timetable)", code: "INTERNAL_ERROR")
        }
    }

    /// The policy-type keys as stored (possibly including keys the registry no longer knows).
    public var policyTypeKeys: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(policyTypes.utf8))) ?? []
    }

    public var isRemoved: Bool { removedAt != nil }

    static func encodeTypes(_ keys: [String]) -> String {
        String(decoding: JSONValue.array(keys.map(JSONValue.string)).canonicalData(), as: UTF8.self)
    }

    static func encodeTimetable(_ timetable: Timetable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(timetable)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
