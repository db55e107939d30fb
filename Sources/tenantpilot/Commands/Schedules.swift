import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `schedules …`: when and what to back up.
    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedules",
            abstract: "Manage backup schedules.",
            subcommands: [
                Add.self, List.self, Show.self, Update.self, Enable.self, Disable.self, Remove.self, Next.self,
            ]
        )
    }
}

/// Timetable options shared by `schedules add` and `schedules update`.
struct TimetableOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Local time HH:MM in the schedule's zone (repeatable, or comma-separated).", valueName: "HH:MM"))
    var at: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Weekdays for --at: mon,tue,… or mon-fri (default every day).", valueName: "days"))
    var days: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "5-field cron expression read in the schedule's zone, e.g. \"0 2 * * 1-5\".", valueName: "expr"))
    var cron: String?
}

/// Retention options shared by `schedules add` and `schedules update`.
struct RetentionOptions: ParsableArguments {
    @Option(
        name: .customLong("keep-last"), parsing: .unconditional,
        help: ArgumentHelp("Keep the newest N sets (default 30 when no rule is given).", valueName: "n"))
    var keepLast: RetentionRuleChange?

    @Option(
        name: .customLong("keep-daily"), parsing: .unconditional,
        help: ArgumentHelp("Keep the newest set of each of the last N days that have one.", valueName: "n"))
    var keepDaily: RetentionRuleChange?

    @Option(
        name: .customLong("keep-weekly"), parsing: .unconditional,
        help: ArgumentHelp("Keep the newest set of each of the last N ISO weeks that have one.", valueName: "n"))
    var keepWeekly: RetentionRuleChange?

    @Option(
        name: .customLong("keep-monthly"), parsing: .unconditional,
        help: ArgumentHelp("Keep the newest set of each of the last N months that have one.", valueName: "n"))
    var keepMonthly: RetentionRuleChange?

    @Option(
        name: .customLong("keep-yearly"), parsing: .unconditional,
        help: ArgumentHelp("Keep the newest set of each of the last N years that have one.", valueName: "n"))
    var keepYearly: RetentionRuleChange?

    /// The rules given, by rule.
    var rules: [RetentionRule: RetentionRuleChange] {
        var rules: [RetentionRule: RetentionRuleChange] = [:]
        rules[.last] = keepLast
        rules[.daily] = keepDaily
        rules[.weekly] = keepWeekly
        rules[.monthly] = keepMonthly
        rules[.yearly] = keepYearly
        return rules
    }
}

extension TenantPilot.Schedules {
    struct Add: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Create a schedule; prints it with its next run (UTC and local).",
            discussion: """
                Examples:
                  tenantpilot schedules add --tenant contoso --name nightly \\
                    --timezone Europe/Berlin --at 02:00 --keep-last 14 \\
                    --types settingsCatalogPolicy,deviceCompliancePolicy
                  tenantpilot schedules add --tenant contoso --name workdays \\
                    --timezone America/New_York --cron "30 6 * * mon-fri" \\
                    --types deviceConfiguration
                  tenantpilot schedules add --tenant contoso --name hourly \\
                    --timezone Europe/Berlin --cron "0 * * * *" --types all \\
                    --keep-daily 7 --keep-weekly 4 --keep-monthly 12

                Retention: a set is kept when any rule keeps it (restic's rules, days
                counted in the schedule's zone); with no rule at all, the newest 30 sets
                are kept.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Tenant name.", completion: Completions.tenants) var tenant: String
        @Option(help: "Schedule name, unique within the tenant.") var name: String
        @Option(
            help: ArgumentHelp("IANA time zone, e.g. Europe/Berlin.", valueName: "zone"), completion: Completions.zones)
        var timezone: String
        @OptionGroup var timetable: TimetableOptions
        @Option(
            help: ArgumentHelp(
                "Policy-type keys, comma-separated (see `tenantpilot policy-types list`).", valueName: "k1,k2"),
            completion: Completions.types)
        var types: [String] = []
        @OptionGroup var retention: RetentionOptions
        @Flag(help: "Create the schedule disabled.") var disabled = false

        func run(in context: CommandContext) async throws {
            let now = context.now
            let draft = try ScheduleDraft(
                tenantName: tenant, name: name, timezone: timezone, at: timetable.at, days: timetable.days,
                cron: timetable.cron, types: types, keepLast: nil, rules: retention.rules, enabled: !disabled,
                registry: try context.registry(), now: now)
            context.announceClock()
            let entry = try await ScheduleService(store: try await context.openStore()).add(
                draft, actor: context.actor, at: now)
            context.emit(entry.document) { ScheduleText.detail(entry.document) }
        }
    }

    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List schedules with their next run.",
            discussion: "Example:\n  tenantpilot schedules list --tenant contoso --json")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this tenant's schedules.", completion: Completions.tenants) var tenant: String?

        func run(in context: CommandContext) async throws {
            let entries = try await ScheduleService(store: try await context.openStore()).list(tenantName: tenant)
            let documents = entries.map(\.document)
            context.emit(["schedules": documents]) {
                if documents.isEmpty { return "no schedules; add one with `tenantpilot schedules add`" }
                return TextTable(
                    header: ["ID", "TENANT/NAME", "ENABLED", "TIMETABLE", "ZONE", "NEXT RUN (UTC)", "LAST RUN"],
                    rows: documents.map { document in
                        [
                            String(document.id), "\(document.tenant)/\(document.name)", document.enabled ? "yes" : "no",
                            document.timetableSummary, document.timezone, document.nextRunAt?.text ?? "-",
                            ScheduleText.lastRun(document),
                        ]
                    }
                ).render()
            }
        }
    }

    struct Show: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one schedule and its next run.",
            discussion: "Example:\n  tenantpilot schedules show contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference

        func run(in context: CommandContext) async throws {
            let entry = try await ScheduleService(store: try await context.openStore()).find(schedule)
            context.emit(entry.document) { ScheduleText.detail(entry.document) }
        }
    }

    struct Update: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change a schedule; a new timetable or zone recomputes its next run from now.",
            discussion: """
                Examples:
                  tenantpilot schedules update contoso/nightly --at 03:15 --days mon-fri
                  tenantpilot schedules update 4 --keep-last 60 --types settingsCatalogPolicy
                  tenantpilot schedules update contoso/nightly --keep-last none --keep-daily 14

                A retention option given `none` removes that rule. When the new rules keep fewer sets,
                the sets the next retention will delete are listed on stderr.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference
        @Option(help: "New name.") var name: String?
        @Option(help: ArgumentHelp("New IANA time zone.", valueName: "zone"), completion: Completions.zones)
        var timezone: String?
        @OptionGroup var timetable: TimetableOptions
        @Option(
            help: ArgumentHelp("New policy-type keys, comma-separated.", valueName: "k1,k2"),
            completion: Completions.types)
        var types: [String] = []
        @OptionGroup var retention: RetentionOptions

        func run(in context: CommandContext) async throws {
            let changes = try ScheduleChanges(
                name: name, timezone: timezone, at: timetable.at, days: timetable.days, cron: timetable.cron,
                types: types, keepLast: nil, rules: retention.rules, registry: try context.registry())
            context.announceClock()
            let update = try await ScheduleService(store: try await context.openStore())
                .updateReporting(schedule, changes: changes, actor: context.actor, at: context.now)
            let entry = update.entry
            context.emit(entry.document) { ScheduleText.detail(entry.document) }
            if !update.nextRetentionDeletes.isEmpty {
                let ids = update.nextRetentionDeletes.map { String($0.setId) }
                let shown = ids.prefix(20).joined(separator: ", ") + (ids.count > 20 ? ", …" : "")
                CommandOutput.writeError(
                    "warning: under the new rules (\(entry.schedule.retention.summary)) the next retention of "
                        + "\(entry.tenant.name)/\(entry.schedule.name) will delete \(ids.count) backup set"
                        + "\(ids.count == 1 ? "" : "s"): \(shown); see `tenantpilot retention apply --schedule "
                        + "\(entry.schedule.rowID) --dry-run`, pin a set to keep it (`tenantpilot backups pin ID`)\n")
            }
        }
    }

    struct Enable: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Enable a schedule; its next run counts from now (no catch-up of past slots).",
            discussion: "Example:\n  tenantpilot schedules enable contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference

        func run(in context: CommandContext) async throws {
            context.announceClock()
            try await ScheduleText.toggle(schedule, enabled: true, context: context)
        }
    }

    struct Disable: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Disable a schedule (dispatch skips it until it is enabled again).",
            discussion: "Example:\n  tenantpilot schedules disable contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference

        func run(in context: CommandContext) async throws {
            try await ScheduleText.toggle(schedule, enabled: false, context: context)
        }
    }

    struct Remove: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a schedule. Its backups and run history stay.",
            discussion: "Example:\n  tenantpilot schedules remove contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference

        func run(in context: CommandContext) async throws {
            let entry = try await ScheduleService(store: try await context.openStore())
                .remove(schedule, actor: context.actor, at: context.now)
            context.emit(entry.document) {
                "schedule \(entry.tenant.name)/\(entry.schedule.name) (id \(entry.schedule.rowID)) removed; its backups and run history stay"
            }
        }
    }

    struct Next: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Show the next slots of a schedule, in UTC and local time: exactly those dispatch will use.",
            discussion: "Example:\n  tenantpilot schedules next contoso/nightly --count 5 --after 2026-03-28T00:00Z")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.", completion: Completions.schedules) var schedule:
            ScheduleReference
        @Option(parsing: .unconditional, help: "How many slots (1–1000).") var count = 5
        @Option(help: ArgumentHelp("Count from this instant instead of now (ISO-8601).", valueName: "instant"))
        var after: InstantArgument?

        func validate() throws {
            guard (1...1000).contains(count) else {
                throw ValidationError("--count \(count) must be between 1 and 1000")
            }
        }

        func run(in context: CommandContext) async throws {
            let (entry, zone, slots) = try await ScheduleService(store: try await context.openStore())
                .nextSlots(schedule, after: after?.date ?? context.now, count: count)
            let documents = slots.map { SlotDocument($0, zone: zone) }
            context.emit(["slots": documents]) {
                let header = "next slots of \(entry.tenant.name)/\(entry.schedule.name) (\(zone.identifier))"
                return header + "\n"
                    + TextTable(
                        header: ["UTC", "LOCAL", "OFFSET"],
                        rows: documents.map { [$0.utc.text, $0.local, $0.utcOffset] }
                    ).render()
            }
        }
    }
}

/// Human renderings shared by the schedule commands.
enum ScheduleText {
    static func detail(_ document: ScheduleDocument) -> String {
        var lines = [
            "schedule \(document.tenant)/\(document.name) (id \(document.id))\(document.removed ? " [removed]" : "")",
            "  enabled:     \(document.enabled ? "yes" : "no")",
            "  timetable:   \(document.timetableSummary) (\(document.timezone))",
            "  types:       \(document.policyTypes.joined(separator: ", "))",
            "  retention:   keep \(document.retention)",
        ]
        if let next = document.nextRunAt {
            lines.append(
                "  next run:    \(next) UTC = \(document.nextRunLocal ?? "?") \(document.nextRunUtcOffset ?? "")")
        } else {
            lines.append("  next run:    - \(document.enabled ? "" : "(disabled)")")
        }
        lines.append("  last run:    \(lastRun(document))")
        return lines.joined(separator: "\n")
    }

    /// `2026-03-29T01:00:00Z success`, or `-`.
    static func lastRun(_ document: ScheduleDocument) -> String {
        document.lastRunAt.map { "\($0) \(document.lastRunStatus?.rawValue ?? "")" } ?? "-"
    }

    static func toggle(_ reference: ScheduleReference, enabled: Bool, context: CommandContext) async throws {
        let (entry, changed) = try await ScheduleService(store: try await context.openStore())
            .setEnabled(reference, enabled, actor: context.actor, at: context.now)
        context.emit(entry.document) {
            let state = enabled ? "enabled" : "disabled"
            let prefix =
                changed
                ? "schedule \(entry.tenant.name)/\(entry.schedule.name) \(state)"
                : "schedule \(entry.tenant.name)/\(entry.schedule.name) was already \(state)"
            return prefix + (entry.schedule.nextRunAt.map { "; next run \($0) UTC" } ?? "")
        }
    }
}
