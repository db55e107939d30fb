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
            subcommands: [NotificationList.self, NotificationRead.self]
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
        @Option(help: "Only entries of this tenant.", completion: Completions.tenants) var tenant: String?
        @Option(
            help: "Only this action (or a family: backup_schedule.*).",
            completion: .list(AuditAction.known.map(\.rawValue)))
        var action: String?
        @Option(parsing: .unconditional, help: "At most this many entries.") var limit = 100

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

extension TenantPilot.Notifications {
    struct NotificationRead: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "read",
            abstract: "Mark notifications read: the ones named, or --all unread ones (of --actor if given).",
            discussion:
                "Examples:\n  tenantpilot notifications read 3 4\n  tenantpilot notifications read --all --actor alice")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Notification ids.") var ids: [Int64] = []
        @Flag(help: "Every unread notification (only --actor's when given).") var all = false

        func validate() throws {
            if all && !ids.isEmpty { throw ValidationError("give notification ids or --all, not both") }
            if !all && ids.isEmpty { throw ValidationError("name the notifications to mark read, or give --all") }
        }

        func run(in context: CommandContext) async throws {
            let query = NotificationQuery(store: try await context.openStore())
            let marked =
                all
                ? try await query.markAllRead(actor: global.actor, at: context.now)
                : try await query.markRead(ids: ids, at: context.now)
            context.emit(["marked_read": marked]) {
                "\(marked) notification\(marked == 1 ? "" : "s") marked read"
            }
        }
    }
}
