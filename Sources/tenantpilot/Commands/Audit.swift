import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `audit …`: the audit log.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Read the audit log.",
            subcommands: [List.self]
        )
    }

    /// `notifications …`: what interactive runs told their actors.
    struct Notifications: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notifications",
            abstract: "Read notifications of interactive runs and retries.",
            subcommands: [NotificationList.self]
        )
    }
}

extension TenantPilot.Audit {
    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List audit entries, newest first.",
            discussion:
                "Examples:\n  tenantpilot audit list --tenant contoso --limit 20\n  tenantpilot audit list --action backup_schedule.run_completed --json"
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only entries of this tenant.") var tenant: String?
        @Option(help: "Only this action (or a family: backup_schedule.*).") var action: String?
        @Option(help: "At most this many entries.") var limit = 100

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit \(limit) must be at least 1") }
        }

        func run(in context: CommandContext) async throws {
            let entries = try await AuditQuery(store: try await context.openStore()).list(
                tenantName: tenant, action: action, limit: limit)
            context.emit(["entries": entries]) {
                if entries.isEmpty { return "no audit entries" }
                return TextTable(
                    header: ["ID", "TIME (UTC)", "ACTOR", "TENANT", "ACTION", "RESOURCE", "STATUS"],
                    rows: entries.map {
                        [
                            String($0.id), $0.createdAt.text, $0.actor, $0.tenant ?? "-", $0.action.rawValue,
                            "\($0.resourceType) \($0.resourceId ?? "")", $0.status,
                        ]
                    }
                ).render()
            }
        }
    }
}

extension TenantPilot.Notifications {
    struct NotificationList: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List notifications, newest first; --actor NAME shows only that actor's.",
            discussion: "Example:\n  tenantpilot notifications list --actor alice --unread")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only unread notifications.") var unread = false

        func run(in context: CommandContext) async throws {
            let notifications = try await NotificationQuery(store: try await context.openStore())
                .list(actor: global.actor, unreadOnly: unread)
            context.emit(["notifications": notifications]) {
                if notifications.isEmpty { return "no notifications" }
                return TextTable(
                    header: ["ID", "TIME (UTC)", "ACTOR", "RUN", "STATUS", "MESSAGE"],
                    rows: notifications.map {
                        [
                            String($0.id), $0.createdAt.text, $0.actor, $0.runId.map(String.init) ?? "-", $0.status,
                            $0.message,
                        ]
                    }
                ).render()
            }
        }
    }
}
