import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `hooks …`: alerts on run events.
    struct Hooks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hooks",
            abstract: "Alert on run events: webhooks, commands, healthchecks-style pings.",
            subcommands: [Add.self, List.self, Remove.self, Test.self]
        )
    }
}

extension TenantPilot.Hooks {
    struct Add: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a hook fired by the runs of a schedule, a tenant, or every run.",
            discussion: """
                Events: start, success, partial, failure, skipped, abandoned, drift (or all). A
                webhook gets a POST of {"event", "tenant", "schedule", "run", "text"}; a command
                runs with /bin/sh -c, the run JSON on stdin and TENANTPILOT_* variables; a ping
                calls URL/start, URL, URL/fail (healthchecks.io). URLs are https:// (http:// only
                to loopback) and always shown redacted; --webhook-env and --ping-env read the URL
                from a variable when it is sent, so it is never stored. Each attempt has a 10 s
                timeout (--timeout), 3 attempts; a failed hook never changes a run.

                Examples:
                  tenantpilot hooks add --on start,success,failure,partial,skipped \\
                    --schedule contoso/nightly --ping-env CONTOSO_NIGHTLY_PING
                  tenantpilot hooks add --on failure,partial,abandoned --webhook-env TEAMS_URL
                  tenantpilot hooks add --on failure \\
                    --command 'logger -t tenantpilot "$TENANTPILOT_TEXT"'
                """)

        @OptionGroup var global: GlobalOptions
        @Option(
            help: ArgumentHelp("Events, comma-separated, or all.", valueName: "events"), completion: Completions.events)
        var on: String
        @Option(help: "Only runs of this schedule (id or TENANT/NAME).", completion: Completions.schedules)
        var schedule: ScheduleReference?
        @Option(help: "Only runs of this tenant.", completion: Completions.tenants) var tenant: String?
        @Option(help: ArgumentHelp("POST the event as JSON to this URL.", valueName: "url")) var webhook: String?
        @Option(
            name: .customLong("webhook-env"),
            help: ArgumentHelp("As --webhook, the URL read from this variable.", valueName: "var"))
        var webhookEnv: String?
        @Option(help: ArgumentHelp("Run this with /bin/sh -c.", valueName: "cmd")) var command: String?
        @Option(help: ArgumentHelp("Ping URL/start, URL, URL/fail.", valueName: "url")) var ping: String?
        @Option(
            name: .customLong("ping-env"),
            help: ArgumentHelp("As --ping, the URL read from this variable.", valueName: "var"))
        var pingEnv: String?
        @Option(help: ArgumentHelp("How long one attempt may take (1s–120s).", valueName: "duration"))
        var timeout = DurationArgument(seconds: 10, text: "10s")

        func run(in context: CommandContext) async throws {
            let draft = try HookDraft(
                on: on, schedule: schedule, tenant: tenant, webhook: webhook, webhookEnv: webhookEnv,
                command: command, ping: ping, pingEnv: pingEnv, timeoutSeconds: Int(timeout.seconds))
            context.announceClock()
            let entry = try await HookService(store: try await context.openStore()).add(
                draft, actor: context.actor, at: context.now)
            if let variable = draft.targetEnv, context.dependencies.environment[variable]?.isEmpty ?? true {
                CommandOutput.writeError(
                    "warning: $\(variable) is not set in this shell; the hook reads it when it fires "
                        + "(set it where cron or systemd runs tenantpilot)\n")
            }
            context.emit(HookDocument(entry)) { "hook \(entry.hook.rowID) added: " + HookText.summary(entry) }
        }
    }

    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List hooks (URLs redacted).",
            discussion: "Example:\n  tenantpilot hooks list --json")

        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            let entries = try await HookService(store: try await context.openStore()).list()
            context.emit(["hooks": entries.map(HookDocument.init)]) {
                if entries.isEmpty { return "no hooks; add one with `tenantpilot hooks add`" }
                return TextTable(
                    header: ["ID", "ON", "RUNS OF", "KIND", "TARGET"],
                    rows: entries.map { entry in
                        [
                            String(entry.hook.rowID), entry.hook.events.map(\.rawValue).joined(separator: ","),
                            entry.scope, entry.hook.kind.rawValue, entry.hook.shownTarget,
                        ]
                    }
                ).render()
            }
        }
    }

    struct Remove: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a hook.",
            discussion: "Example:\n  tenantpilot hooks remove 3")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hook id.") var hookId: Int64

        func run(in context: CommandContext) async throws {
            let entry = try await HookService(store: try await context.openStore()).remove(
                id: hookId, actor: context.actor, at: context.now)
            context.emit(HookDocument(entry)) { "hook \(entry.hook.rowID) removed: " + HookText.summary(entry) }
        }
    }

    struct Test: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Send a test event to a hook now; exit 1 when it could not be delivered.",
            discussion: "Example:\n  tenantpilot hooks test 3")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hook id.") var hookId: Int64

        func run(in context: CommandContext) async throws {
            let store = try await context.openStore()
            let (entry, outcome) = try await HookService(store: store).test(
                id: hookId, notifier: context.hooks(store: store))
            let delivered = outcome.error == nil
            context.emit(
                HookTestDocument(
                    hook: HookDocument(entry), delivered: delivered, attempts: outcome.attempts,
                    detail: outcome.detail)
            ) {
                delivered
                    ? "hook \(entry.hook.rowID) delivered (\(outcome.detail), \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s")): "
                        + HookText.summary(entry)
                    : ""
            }
            try context.exit(with: delivered ? ExitStatus.success : ExitStatus.failure)
        }
    }
}

/// `hooks test --json`.
struct HookTestDocument: Encodable {
    let hook: HookDocument
    let delivered: Bool
    let attempts: Int
    let detail: String
}

enum HookText {
    /// `on failure,partial for contoso/nightly: webhook https://hooks.example.com/…`.
    static func summary(_ entry: HookService.Entry) -> String {
        "on \(entry.hook.events.map(\.rawValue).joined(separator: ",")) for \(entry.scope): "
            + "\(entry.hook.kind.rawValue) \(entry.hook.shownTarget)"
    }
}
