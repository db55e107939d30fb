/// Told when a run starts and when it has ended for good (its row final, its locks released):
/// where the hooks of `hooks add` are fired (`HookNotifier`). Both calls only hand the event on
/// and return at once; delivering it never holds up the run or the next one.
public protocol RunObserving: Sendable {
    /// The run is `running` (its start is committed).
    func runStarted(_ run: RunDocument, tenantId: Int64) async
    /// The run ended (`success`, `partial`, `failed` — `ABANDONED` included — or `skipped`).
    func runEnded(_ run: RunDocument, tenantId: Int64) async
}
