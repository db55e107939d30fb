import Foundation
import GRDB

// How typed values are stored: instants as `ISO8601.string` text, codes and statuses as their
// raw text, JSON columns as canonical JSON text — the forms every version of the store has.

extension Instant: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { text.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Instant? {
        String.fromDatabaseValue(dbValue).flatMap(Instant.init(text:))
    }
}

extension ErrorCode: DatabaseValueConvertible {}
extension AuditAction: DatabaseValueConvertible {}
extension AuditResource: DatabaseValueConvertible {}
extension UserNotification.Kind: DatabaseValueConvertible {}
extension BackupRun.Status: DatabaseValueConvertible {}
extension BackupRun.Trigger: DatabaseValueConvertible {}
extension BackupSetStatus: DatabaseValueConvertible {}
extension BackupSetOutcome: DatabaseValueConvertible {}

/// JSON columns (`policy_types`, `skipped_types`, `timetable`, `metadata`): the text written,
/// and how a stored text is read back.
enum JSONColumn {
    /// `["a","b"]`, as `JSONValue.canonicalData` writes it.
    static func text(_ strings: [String]) -> String {
        text(.array(strings.map(JSONValue.string)))
    }

    /// Canonical JSON: keys sorted, no whitespace.
    static func text(_ value: JSONValue) -> String {
        String(decoding: value.canonicalData(), as: UTF8.self)
    }

    /// `{"at":["02:00"],"days":["mon"]}` or `{"cron":"0 2 * * *"}`.
    static func text(_ timetable: Timetable) -> String {
        timetable.canonicalJSON
    }

    /// A stored array of strings; an unreadable one reads as empty, as it always has.
    static func strings(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    /// A restore's counts as stored: `{"created":…,"deleted":…,"failed":…,"updated":…}`.
    static func text(_ counts: RestoreCounts) -> String {
        text(
            .object([
                "created": .int(Int64(counts.created)), "updated": .int(Int64(counts.updated)),
                "deleted": .int(Int64(counts.deleted)), "failed": .int(Int64(counts.failed)),
            ]))
    }

    /// Stored restore counts; nil for a run that is not a restore (or an unreadable text).
    static func restoreCounts(_ text: String?) -> RestoreCounts? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(RestoreCounts.self, from: Data(text.utf8))
    }

    /// A stored JSON object; an unreadable one reads as `{}`.
    static func object(_ text: String?) -> JSONValue {
        guard let text, let value = try? JSONValue.parse(Data(text.utf8)) else { return .object([:]) }
        return value
    }

    /// A stored timetable; nil when it does not decode (or no longer validates).
    static func timetable(_ text: String) -> Timetable? {
        try? JSONDecoder().decode(Timetable.self, from: Data(text.utf8))
    }
}
