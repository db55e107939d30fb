/// The one stderr line of a run that did not end `success` (failed, partial, skipped — missed
/// slots and concurrent runs included — and every abandoned run recovered): run id,
/// `TENANT/NAME`, trigger, status, error code and a message of at most 200 characters, control
/// characters escaped (`run 42  contoso/nightly  scheduled  failed  GRAPH_FORBIDDEN  …`). With the usual crontab line (stdout to a log, stderr mailed) these lines
/// are exactly what the operator is mailed. `dispatch`, `run`, `retry`, `backups create`,
/// `restore` and `drift` all write it through here.
public enum RunProblemLine {
    /// The longest message shown; a longer one is cut with `…`.
    public static let messageLimit = 200

    /// The line for `run`, or nil when it succeeded (or has not ended).
    public static func text(for run: RunDocument) -> String? {
        guard run.status.isFinal, run.status != .success else { return nil }
        return line(
            subject: "run \(run.id)", name: run.subjectName + "  " + run.trigger.rawValue, status: run.status.rawValue,
            code: run.errorCode?.rawValue, message: run.errorMessage)
    }

    /// A line of the same shape for something that is not a run (a drift check): `subject`
    /// first (`drift`), then the name, the state, the code and the message.
    public static func line(subject: String, name: String, status: String, code: String?, message: String?) -> String {
        var fields = [subject, name, status]
        if let code { fields.append(code) }
        if let message, !message.isEmpty { fields.append(cut(message)) }
        return PlainText.escaped(fields.joined(separator: "  "))
    }

    /// `message` on one line, at most `messageLimit` characters.
    static func cut(_ message: String) -> String {
        let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > messageLimit ? String(flat.prefix(messageLimit - 1)) + "…" : flat
    }
}

extension RunDocument {
    /// `TENANT/NAME`, or the tenant alone for a run without a schedule.
    public var subjectName: String {
        schedule.map { "\(tenant)/\($0)" } ?? tenant
    }
}
