import GRDB

/// Every statement on `notifications`.
struct SQLiteNotificationTable: NotificationTable {
    let db: Database
    typealias Columns = UserNotification.Columns

    func record(_ notification: UserNotification) throws {
        var notification = notification
        try notification.insert(db)
    }

    func list(actor: String?, unreadOnly: Bool, limit: Int) throws -> [UserNotification] {
        var request = UserNotification.order(Columns.id.desc).limit(limit)
        if let actor { request = request.filter(Columns.actor == actor) }
        if unreadOnly { request = request.filter(Columns.readAt == nil) }
        return try request.fetchAll(db)
    }

    func delete(forRuns runIds: [Int64]) throws -> Int {
        if runIds.isEmpty { return 0 }
        try db.execute(
            sql: "DELETE FROM notifications WHERE run_id IN (SELECT value FROM json_each(?))",
            arguments: [SQLiteIds.json(runIds)])
        return db.changesCount
    }

    func existing(ids: [Int64]) throws -> Set<Int64> {
        Set(
            try Int64.fetchAll(
                db, sql: "SELECT id FROM notifications WHERE id IN (SELECT value FROM json_each(?))",
                arguments: [SQLiteIds.json(ids)]))
    }

    func markRead(ids: [Int64], at instant: Instant) throws -> Int {
        try db.execute(
            sql: """
                UPDATE notifications SET read_at = ?
                WHERE read_at IS NULL AND id IN (SELECT value FROM json_each(?))
                """,
            arguments: [instant, SQLiteIds.json(ids)])
        return db.changesCount
    }

    func markAllRead(actor: String?, at instant: Instant) throws -> Int {
        if let actor {
            try db.execute(
                sql: "UPDATE notifications SET read_at = ? WHERE read_at IS NULL AND actor = ?",
                arguments: [instant, actor])
        } else {
            try db.execute(sql: "UPDATE notifications SET read_at = ? WHERE read_at IS NULL", arguments: [instant])
        }
        return db.changesCount
    }
}

extension UserNotification: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "notifications"

    public enum Columns {
        public static let id = Column("id")
        public static let actor = Column("actor")
        public static let type = Column("type")
        public static let runId = Column("run_id")
        public static let status = Column("status")
        public static let message = Column("message")
        public static let createdAt = Column("created_at")
        public static let readAt = Column("read_at")
    }

    public init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: Columns.id), actor: try row.decode(forColumn: Columns.actor),
            type: try row.decode(forColumn: Columns.type), runId: try row.decode(forColumn: Columns.runId),
            status: try row.decode(forColumn: Columns.status), message: try row.decode(forColumn: Columns.message),
            createdAt: try row.decode(forColumn: Columns.createdAt), readAt: try row.decode(forColumn: Columns.readAt))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.actor] = actor
        container[Columns.type] = type
        container[Columns.runId] = runId
        container[Columns.status] = status
        container[Columns.message] = message
        container[Columns.createdAt] = createdAt
        container[Columns.readAt] = readAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
