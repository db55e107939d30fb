import Foundation

/// What one event tells its hooks: the document a webhook receives, the run JSON a command reads
/// on stdin, its `TENANTPILOT_*` variables, and the sentence a chat shows (`text`, which Teams'
/// and Slack's incoming webhooks display).
public struct HookMessage: Sendable {
    /// `start`, `success`, …, `drift`, or `test` (`hooks test`).
    public let event: String
    public let tenant: String?
    public let schedule: String?
    public let run: RunDocument?
    public let drift: DriftReport.Check?
    public let text: String
    /// What a ping to `URL/fail` carries: the stderr line of the run (or check).
    public let problemLine: String?
    /// The ids a hook's scope is matched against.
    let tenantId: Int64?
    let scheduleId: Int64?

    /// A run's event: it started, or it ended as `run.status` says.
    static func run(_ run: RunDocument, event: Hook.Event, tenantId: Int64) -> HookMessage {
        HookMessage(
            event: event.rawValue, tenant: run.tenant, schedule: run.schedule, run: run, drift: nil,
            text: sentence(run, event: event), problemLine: RunProblemLine.text(for: run), tenantId: tenantId,
            scheduleId: run.scheduleId)
    }

    /// A drift check that found differences.
    static func drift(_ check: DriftReport.Check, tenantId: Int64, scheduleId: Int64?) -> HookMessage {
        let schedule = check.schedule.map { name in
            name.hasPrefix(check.tenant + "/") ? String(name.dropFirst(check.tenant.count + 1)) : name
        }
        let counts =
            "\(check.added.count) added, \(check.removed.count) removed, \(check.changed.count) changed"
        let name = check.schedule ?? check.tenant
        let against = check.against.map { " since backup set \($0)" } ?? ""
        return HookMessage(
            event: Hook.Event.drift.rawValue, tenant: check.tenant, schedule: schedule, run: nil, drift: check,
            text: "TenantPilot: \(name) has drifted\(against): \(counts).",
            problemLine: RunProblemLine.line(subject: "drift", name: name, status: "drift", code: nil, message: counts),
            tenantId: tenantId, scheduleId: scheduleId)
    }

    /// `hooks test ID`: `run` is the latest ended run in the hook's scope, if there is one.
    static func test(_ hook: Hook, tenant: String?, schedule: String?, run: RunDocument?) -> HookMessage {
        HookMessage(
            event: "test", tenant: tenant, schedule: schedule, run: run, drift: nil,
            text: "TenantPilot: a test of hook \(hook.rowID) (\(hook.kind.rawValue) \(hook.shownTarget)).",
            problemLine: nil, tenantId: nil, scheduleId: nil)
    }

    /// One human sentence: what happened to which schedule, and why when it went wrong.
    static func sentence(_ run: RunDocument, event: Hook.Event) -> String {
        let what = run.trigger == .restore ? "restore into \(run.subjectName)" : "backup of \(run.subjectName)"
        let id = "run \(run.id), \(run.trigger.rawValue)"
        var reason = ""
        if let code = run.errorCode {
            reason = " (\(code.rawValue))"
            if let message = run.errorMessage { reason += ": " + RunProblemLine.cut(message) }
        }
        switch event {
        case .start:
            return "TenantPilot: \(what) started (\(id))."
        case .success:
            let set = run.backupSetId.map { " in backup set \($0)" } ?? ""
            let counts = run.trigger == .restore ? "" : ": \(run.counts.policies) policies\(set)"
            return "TenantPilot: \(what) succeeded\(counts) (\(id))."
        case .partial:
            return "TenantPilot: \(what) was only partly done\(reason) (\(id))."
        case .failure:
            return "TenantPilot: \(what) failed\(reason) (\(id))."
        case .skipped:
            return "TenantPilot: \(what) was skipped\(reason) (\(id))."
        case .abandoned:
            return "TenantPilot: \(what) was abandoned: its process died (\(id))."
        case .drift:
            return "TenantPilot: \(what) drifted (\(id))."
        }
    }

    /// The body of a webhook: `{"event", "tenant", "schedule", "run", "text"}` (and `drift` for
    /// a drift event).
    struct WebhookBody: Encodable {
        let event: String
        @Nullable var tenant: String?
        @Nullable var schedule: String?
        @Nullable var run: RunDocument?
        let drift: DriftReport.Check?
        let text: String
    }

    func webhookBody() -> Data {
        let body = WebhookBody(
            event: event, tenant: tenant, schedule: schedule, run: run, drift: drift, text: text)
        return (try? DocumentEncoding.encoder(pretty: false).encode(body)) ?? Data(#"{"text":"TenantPilot"}"#.utf8)
    }

    /// What a command reads on stdin: the run JSON (a drift check's JSON for `drift`; `{}` for a
    /// test without a run).
    func commandInput() -> Data {
        let encoder = DocumentEncoding.encoder(pretty: false)
        let data: Data?
        if let run {
            data = try? encoder.encode(run)
        } else if let drift {
            data = try? encoder.encode(drift)
        } else {
            data = nil
        }
        return (data ?? Data("{}".utf8)) + Data("\n".utf8)
    }

    /// The `TENANTPILOT_*` variables of a command (empty for what does not apply).
    func commandVariables() -> [String: String] {
        [
            "TENANTPILOT_EVENT": event,
            "TENANTPILOT_RUN_ID": run.map { String($0.id) } ?? "",
            "TENANTPILOT_TENANT": tenant ?? "",
            "TENANTPILOT_SCHEDULE": schedule ?? "",
            "TENANTPILOT_STATUS": run?.status.rawValue ?? (drift != nil ? "drift" : ""),
            "TENANTPILOT_ERROR_CODE": run?.errorCode?.rawValue ?? "",
            "TENANTPILOT_TEXT": text,
        ]
    }

    /// The ping's suffix: `start`, none for a success (and a test), `fail` for the rest.
    var pingSuffix: String? {
        switch event {
        case Hook.Event.start.rawValue: "start"
        case Hook.Event.success.rawValue, "test": nil
        default: "fail"
        }
    }

    /// What a ping carries: the stderr line for `/fail`, the sentence otherwise.
    var pingBody: Data {
        Data(((pingSuffix == "fail" ? problemLine : nil) ?? text).utf8)
    }
}
