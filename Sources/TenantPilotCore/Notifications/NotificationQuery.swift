/// Reads notifications, newest first.
public struct NotificationQuery: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func list(actor: String?, unreadOnly: Bool, limit: Int = 1000) async throws(TenantPilotError)
        -> [NotificationDocument]
    {
        try await store.read { tx in
            try tx.notifications.list(actor: actor, unreadOnly: unreadOnly, limit: limit).map(NotificationDocument.init)
        }
    }
}
