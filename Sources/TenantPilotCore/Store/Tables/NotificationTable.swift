/// `notifications`: what interactive runs tell their actors (SPEC §9).
public protocol NotificationTable {
    func record(_ notification: UserNotification) throws
    /// Newest first.
    func list(actor: String?, unreadOnly: Bool, limit: Int) throws -> [UserNotification]
    /// Deletes the notifications of these runs; returns how many.
    func delete(forRuns runIds: [Int64]) throws -> Int
}
