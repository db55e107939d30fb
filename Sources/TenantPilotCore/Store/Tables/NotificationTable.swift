/// `notifications`: what interactive runs tell their actors (docs/cli.md).
public protocol NotificationTable {
    func record(_ notification: UserNotification) throws
    /// Newest first.
    func list(actor: String?, unreadOnly: Bool, limit: Int) throws -> [UserNotification]
    /// Deletes the notifications of these runs; returns how many.
    func delete(forRuns runIds: [Int64]) throws -> Int
    /// Of these ids, those that exist.
    func existing(ids: [Int64]) throws -> Set<Int64>
    /// Marks these notifications read (those already read keep their time); returns how many
    /// were unread.
    func markRead(ids: [Int64], at instant: Instant) throws -> Int
    /// Marks every unread notification (of `actor`, when given) read; returns how many.
    func markAllRead(actor: String?, at instant: Instant) throws -> Int
}
