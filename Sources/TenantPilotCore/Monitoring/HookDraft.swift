/// A hook as `hooks add` is given it, checked before the store is opened (bad input writes
/// nothing): the events, the scope (a schedule, a tenant, or every run), exactly one way to
/// deliver, and the timeout of an attempt.
public struct HookDraft: Sendable {
    public enum Scope: Sendable, Equatable {
        case everyRun
        case tenant(String)
        case schedule(ScheduleReference)
    }

    public let events: [Hook.Event]
    public let scope: Scope
    public let kind: Hook.Kind
    public let target: String?
    public let targetEnv: String?
    public let timeoutSeconds: Int

    /// The longest command accepted.
    static let maximumCommandLength = 4096

    public init(
        on events: String, schedule: ScheduleReference?, tenant: String?, webhook: String?, webhookEnv: String?,
        command: String?, ping: String?, pingEnv: String?, timeoutSeconds: Int = Hook.defaultTimeoutSeconds
    ) throws(TenantPilotError) {
        self.events = try Self.events(events)
        switch (schedule, tenant) {
        case (let schedule?, nil): scope = .schedule(schedule)
        case (nil, let tenant?): scope = .tenant(InputValidation.normalized(tenant))
        case (nil, nil): scope = .everyRun
        case (.some, .some): throw .invalid("give --schedule or --tenant, not both")
        }
        let given = [
            webhook.map { (Hook.Kind.webhook, $0, false, "--webhook") },
            webhookEnv.map { (Hook.Kind.webhook, $0, true, "--webhook-env") },
            command.map { (Hook.Kind.command, $0, false, "--command") },
            ping.map { (Hook.Kind.ping, $0, false, "--ping") },
            pingEnv.map { (Hook.Kind.ping, $0, true, "--ping-env") },
        ].compactMap { $0 }
        guard given.count == 1, let (kind, value, fromEnvironment, option) = given.first else {
            throw .invalid(
                "give exactly one of --webhook URL, --webhook-env VAR, --command CMD, --ping URL, --ping-env VAR"
                    + (given.isEmpty ? "" : " (got \(given.map(\.3).joined(separator: ", ")))"))
        }
        self.kind = kind
        if fromEnvironment {
            targetEnv = try InputValidation.environmentVariableName(value, option: option)
            target = nil
        } else if kind == .command {
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalid("--command \"\" runs nothing; give the command to run")
            }
            guard value.utf8.count <= Self.maximumCommandLength, !value.contains("\u{0}") else {
                throw .invalid(
                    "--command is \(value.utf8.count) bytes or holds a NUL; at most \(Self.maximumCommandLength) bytes "
                        + "(put a longer one in a script)")
            }
            target = value
            targetEnv = nil
        } else {
            target = try HookURL.validated(value, option: option).absoluteString
            targetEnv = nil
        }
        guard (1...Hook.maximumTimeoutSeconds).contains(timeoutSeconds) else {
            throw .invalid("--timeout \(timeoutSeconds)s must be between 1s and \(Hook.maximumTimeoutSeconds)s")
        }
        self.timeoutSeconds = timeoutSeconds
    }

    /// `start,failure`, or `all`: known events, at least one, duplicates dropped, in the order of
    /// `Hook.Event.allCases`.
    static func events(_ text: String) throws(TenantPilotError) -> [Hook.Event] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let known = Hook.Event.allCases.map(\.rawValue)
        if names == ["all"] { return Hook.Event.allCases }
        var events: Set<Hook.Event> = []
        for name in names {
            guard let event = Hook.Event(rawValue: name) else {
                let shown = PlainText.escaped(name)
                throw .invalid(
                    "--on: unknown event \"\(shown)\"\(Suggestion.clause(for: name, among: known + ["all"])) "
                        + "(events: \(known.joined(separator: ", ")), or all)")
            }
            events.insert(event)
        }
        return Hook.Event.allCases.filter(events.contains)
    }
}
