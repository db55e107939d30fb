import Foundation

/// Notifies the actor of an interactive action. Scheduled runs notify nobody.
enum Notifier {
    static func notify(
        _ tx: any StoreTransaction, run: BackupRun, scheduleName: String, actor: String, at instant: Date
    ) throws {
        let retry = run.trigger == .retry
        let verb = retry ? "retry" : "run"
        var message = "\(verb) \(run.rowID) of \(scheduleName) ended \(run.status.rawValue)"
        if let code = run.errorCode { message += " (\(code))" }
        try tx.notifications.record(
            UserNotification(
                actor: actor, type: retry ? .retryCompleted : .runCompleted, runId: run.id, status: run.status.rawValue,
                message: message, createdAt: Instant(instant)))
    }
}
