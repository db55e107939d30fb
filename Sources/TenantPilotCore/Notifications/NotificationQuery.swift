import Foundation

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

    /// `notifications read ID…`: an unknown id is bad input and nothing is marked. Returns how
    /// many were unread.
    public func markRead(ids: [Int64], at now: Date) async throws(TenantPilotError) -> Int {
        try await store.write { tx in
            let found = try tx.notifications.existing(ids: ids)
            if let missing = ids.first(where: { !found.contains($0) }) {
                throw TenantPilotError.notFound(
                    "no notification with id \(missing); see `tenantpilot notifications list`")
            }
            return try tx.notifications.markRead(ids: ids, at: Instant(now))
        }
    }

    /// `notifications read --all`: every unread one (of `actor`, when given).
    public func markAllRead(actor: String?, at now: Date) async throws(TenantPilotError) -> Int {
        try await store.write { tx in try tx.notifications.markAllRead(actor: actor, at: Instant(now)) }
    }
}
