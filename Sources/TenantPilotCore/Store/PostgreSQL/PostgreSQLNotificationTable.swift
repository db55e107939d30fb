import PostgresNIO

/// Every statement on `notifications`.
struct PostgreSQLNotificationTable: NotificationTable {
    let connection: PostgreSQLConnection

    func record(_ notification: UserNotification) throws {
        try connection.execute(
            """
            INSERT INTO notifications (actor, type, run_id, status, message, created_at, read_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                notification.actor, notification.type, notification.runId, notification.status, notification.message,
                notification.createdAt, notification.readAt,
            ])
    }

    func list(actor: String?, unreadOnly: Bool, limit: Int) throws -> [UserNotification] {
        var conditions: [String] = []
        var values: [any PostgreSQLValue] = []
        if let actor {
            values.append(actor)
            conditions.append("actor = $\(values.count)")
        }
        if unreadOnly { conditions.append("read_at IS NULL") }
        values.append(limit)
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try connection.rows(
            """
            SELECT id, actor, type, run_id, status, message, created_at, read_at
            FROM notifications\(filter) ORDER BY id DESC LIMIT $\(values.count)
            """, values
        ).map(Self.notification)
    }

    func delete(forRuns runIds: [Int64]) throws -> Int {
        if runIds.isEmpty { return 0 }
        return try connection.execute("DELETE FROM notifications WHERE run_id = ANY($1)", [runIds])
    }

    func existing(ids: [Int64]) throws -> Set<Int64> {
        if ids.isEmpty { return [] }
        return Set(
            try connection.rows("SELECT id FROM notifications WHERE id = ANY($1)", [ids]).map { try $0.int64("id") })
    }

    func markRead(ids: [Int64], at instant: Instant) throws -> Int {
        if ids.isEmpty { return 0 }
        return try connection.execute(
            "UPDATE notifications SET read_at = $1 WHERE read_at IS NULL AND id = ANY($2)", [instant, ids])
    }

    func markAllRead(actor: String?, at instant: Instant) throws -> Int {
        if let actor {
            return try connection.execute(
                "UPDATE notifications SET read_at = $1 WHERE read_at IS NULL AND actor = $2", [instant, actor])
        }
        return try connection.execute("UPDATE notifications SET read_at = $1 WHERE read_at IS NULL", [instant])
    }

    static func notification(_ row: PostgresRandomAccessRow) throws -> UserNotification {
        UserNotification(
            id: try row.int64("id"), actor: try row.string("actor"),
            type: UserNotification.Kind(rawValue: try row.string("type")), runId: try row.optionalInt64("run_id"),
            status: try row.string("status"), message: try row.string("message"),
            createdAt: try row.instant("created_at"), readAt: try row.optionalInstant("read_at"))
    }
}
