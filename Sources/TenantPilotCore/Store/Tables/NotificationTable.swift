/// `notifications`: what interactive runs tell their actors (SPEC §9).
public protocol NotificationTable {
    func record(_ notification: UserNotification) throws
    /// Newest first.
    func list(actor: String?, unreadOnly: Bool, limit: Int) throws -> [UserNotification]
}
