import Foundation

/// TEMPORARY: replaced by RetentionService when the retention branch lands.
enum RetentionHook {
    static func apply(store: Store, scheduleId: Int64, actor: String, at instant: Date) throws(TenantPilotError) {}
}
