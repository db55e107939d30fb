import Foundation
import GRDB

/// One row of `notifications` (SPEC §9): what an interactive run or retry tells its actor.
public struct UserNotification: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "notifications"

    public var id: Int64?
    public var actor: String
    public var type: String
    public var runId: Int64?
    public var status: String
    public var message: String
    public var createdAt: String
    public var readAt: String?

    enum CodingKeys: String, CodingKey {
        case id, actor, type, status, message
        case runId = "run_id"
        case createdAt = "created_at"
        case readAt = "read_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Notifies the actor of an interactive action. Scheduled runs notify nobody.
public enum Notifier {
    static func notify(_ db: Database, run: BackupRun, scheduleName: String, actor: String, at instant: Date) throws {
        let verb = run.trigger == .retry ? "retry" : "run"
        var message = "\(verb) \(run.rowID) of \(scheduleName) ended \(run.status.rawValue)"
        if let code = run.errorCode { message += " (\(code))" }
        var notification = UserNotification(
            id: nil, actor: actor, type: "backup_schedule.\(verb)_completed", runId: run.id, status: run.status.rawValue,
            message: message, createdAt: ISO8601.string(instant), readAt: nil)
        try notification.insert(db)
    }
}
