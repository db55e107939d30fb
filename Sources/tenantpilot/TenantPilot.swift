import ArgumentParser

/// The root command: a list of subcommands, one per file in `Commands/`.
struct TenantPilot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantpilot",
        abstract: "Scheduled, audited backups of Microsoft Intune policies.",
        discussion: """
            Add a tenant and a schedule, then let cron call `tenantpilot dispatch` every minute:

              * * * * * tenantpilot dispatch
            """,
        subcommands: [
            Tenants.self,
            PolicyTypes.self,
            Schedules.self,
            Dispatch.self,
            Run.self,
            Retry.self,
            Runs.self,
            Retention.self,
            Backups.self,
            Restore.self,
            Drift.self,
            Audit.self,
            Notifications.self,
            Status.self,
            Metrics.self,
            Hooks.self,
            Doctor.self,
            StoreCommands.self,
        ]
    )
}
