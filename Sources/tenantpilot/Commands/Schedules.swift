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

extension TenantPilot.Schedules {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Create a schedule; prints it with its next run (UTC and local).",
            discussion: """
                Examples:
                  tenantpilot schedules add --tenant contoso --name nightly --timezone Europe/Berlin \\
                    --at 02:00 --types settingsCatalogPolicy,deviceCompliancePolicy --keep-last 14
                  tenantpilot schedules add --tenant contoso --name workdays --timezone America/New_York \\
                    --cron "30 6 * * mon-fri" --types deviceConfiguration
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Tenant name.") var tenant: String
        @Option(help: "Schedule name, unique within the tenant.") var name: String
        @Option(help: ArgumentHelp("IANA time zone, e.g. Europe/Berlin.", valueName: "zone")) var timezone: String
        @OptionGroup var timetable: TimetableOptions
        @Option(
            help: ArgumentHelp(
                "Policy-type keys, comma-separated (see `tenantpilot policy-types list`).", valueName: "k1,k2"))
        var types: [String] = []
        @Option(name: .customLong("keep-last"), help: "Backup sets to keep (default 30).") var keepLast: Int?
        @Flag(help: "Create the schedule disabled.") var disabled = false

        mutating func run() async throws {
            try await global.run { context in
                let now = context.dependencies.clock.now()
                let draft = try ScheduleDraft(
                    tenantName: tenant, name: name, timezone: timezone, at: timetable.at, days: timetable.days,
                    cron: timetable.cron, types: types, keepLast: keepLast, enabled: !disabled,
                    registry: try context.registry(), now: now)
                context.announceClock()
                let entry = try ScheduleService(store: try context.openStore()).add(
                    draft, actor: context.actor, at: now)
                context.emit(entry.document) { ScheduleText.detail(entry.document) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List schedules with their next run.",
            discussion: "Example:\n  tenantpilot schedules list --tenant contoso --json")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this tenant's schedules.") var tenant: String?

        mutating func run() async throws {
            try await global.run { context in
                let entries = try ScheduleService(store: try context.openStore()).list(tenantName: tenant)
                let documents = entries.map(\.document)
                context.emit(["schedules": documents]) {
                    if documents.isEmpty { return "no schedules; add one with `tenantpilot schedules add`" }
                    return TextTable(
                        header: ["ID", "TENANT/NAME", "ENABLED", "TIMETABLE", "ZONE", "NEXT RUN (UTC)", "LAST RUN"],
                        rows: documents.map { document in
                            [
                                String(document.id), "\(document.tenant)/\(document.name)",
                                document.enabled ? "yes" : "no",
                                document.timetable_summary, document.timezone, document.next_run_at ?? "-",
                                document.last_run_at.map { "\($0) \(document.last_run_status ?? "")" } ?? "-",
                            ]
                        }
                    ).render()
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one schedule and its next run.",
            discussion: "Example:\n  tenantpilot schedules show contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.") var schedule: String

        mutating func run() async throws {
            try await global.run { context in
                let reference = try ScheduleReference(parsing: schedule)
                let entry = try ScheduleService(store: try context.openStore()).find(reference)
                context.emit(entry.document) { ScheduleText.detail(entry.document) }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change a schedule; a new timetable or zone recomputes its next run from now.",
            discussion: """
                Examples:
                  tenantpilot schedules update contoso/nightly --at 03:15 --days mon-fri
                  tenantpilot schedules update 4 --keep-last 60 --types settingsCatalogPolicy
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.") var schedule: String
        @Option(help: "New name.") var name: String?
        @Option(help: ArgumentHelp("New IANA time zone.", valueName: "zone")) var timezone: String?
        @OptionGroup var timetable: TimetableOptions
        @Option(help: ArgumentHelp("New policy-type keys, comma-separated.", valueName: "k1,k2")) var types: [String] =
            []
        @Option(name: .customLong("keep-last"), help: "New number of sets to keep.") var keepLast: Int?

        mutating func run() async throws {
            try await global.run { context in
                let reference = try ScheduleReference(parsing: schedule)
                let changes = try ScheduleChanges(
                    name: name, timezone: timezone, at: timetable.at, days: timetable.days, cron: timetable.cron,
                    types: types, keepLast: keepLast, registry: try context.registry())
                context.announceClock()
                let entry = try ScheduleService(store: try context.openStore())
                    .update(reference, changes: changes, actor: context.actor, at: context.dependencies.clock.now())
                context.emit(entry.document) { ScheduleText.detail(entry.document) }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Enable a schedule; its next run counts from now (no catch-up of past slots).",
            discussion: "Example:\n  tenantpilot schedules enable contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.") var schedule: String

        mutating func run() async throws {
            try await global.run { context in
                context.announceClock()
                try ScheduleText.toggle(schedule, enabled: true, context: context)
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Disable a schedule (dispatch skips it until it is enabled again).",
            discussion: "Example:\n  tenantpilot schedules disable contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.") var schedule: String

        mutating func run() async throws {
            try await global.run { context in
                try ScheduleText.toggle(schedule, enabled: false, context: context)
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a schedule. Its backups and run history stay.",
            discussion: "Example:\n  tenantpilot schedules remove contoso/nightly")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.") var schedule: String

        mutating func run() async throws {
            try await global.run { context in
                let reference = try ScheduleReference(parsing: schedule)
                let entry = try ScheduleService(store: try context.openStore())
                    .remove(reference, actor: context.actor, at: context.dependencies.clock.now())
                context.emit(entry.document) {
                    "schedule \(entry.tenant.name)/\(entry.schedule.name) (id \(entry.schedule.rowID)) removed; its backups and run history stay"
                }
            }
        }
    }

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Show the next slots of a schedule, in UTC and local time: exactly those dispatch will use.",
            discussion: "Example:\n  tenantpilot schedules next contoso/nightly --count 5 --after 2026-03-28T00:00:00Z")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule id or TENANT/NAME.") var schedule: String
        @Option(help: "How many slots (1–1000).") var count = 5
        @Option(help: ArgumentHelp("Count from this instant instead of now (ISO-8601).", valueName: "instant"))
        var after: String?

        mutating func run() async throws {
            try await global.run { context in
                let reference = try ScheduleReference(parsing: schedule)
                guard (1...1000).contains(count) else {
                    throw TenantPilotError.invalid("--count \(count) must be between 1 and 1000")
                }
                var start = context.dependencies.clock.now()
                if let after {
                    guard let instant = ISO8601.parse(after) else {
                        throw TenantPilotError.invalid(
                            "--after \"\(after)\" is not an ISO-8601 instant (example: 2026-03-29T00:00:00Z)")
                    }
                    start = instant
                }
                let (entry, zone, slots) = try ScheduleService(store: try context.openStore())
                    .nextSlots(reference, after: start, count: count)
                let documents = slots.map { SlotDocument($0, zone: zone) }
                context.emit(["slots": documents]) {
                    let header = "next slots of \(entry.tenant.name)/\(entry.schedule.name) (\(zone.identifier))"
                    return header + "\n"
                        + TextTable(
                            header: ["UTC", "LOCAL", "OFFSET"],
                            rows: documents.map { [$0.utc, $0.local, $0.utc_offset] }
                        ).render()
                }
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
            "  timetable:   \(document.timetable_summary) (\(document.timezone))",
            "  types:       \(document.policy_types.joined(separator: ", "))",
            "  keep last:   \(document.keep_last)",
        ]
        if let next = document.next_run_at {
            lines.append(
                "  next run:    \(next) UTC = \(document.next_run_local ?? "?") \(document.next_run_utc_offset ?? "")")
        } else {
            lines.append("  next run:    - \(document.enabled ? "" : "(disabled)")")
        }
        lines.append("  last run:    \(document.last_run_at.map { "\($0) \(document.last_run_status ?? "")" } ?? "-")")
        return lines.joined(separator: "\n")
    }

    static func toggle(_ text: String, enabled: Bool, context: CommandContext) throws {
        let reference = try ScheduleReference(parsing: text)
        let (entry, changed) = try ScheduleService(store: try context.openStore())
            .setEnabled(reference, enabled, actor: context.actor, at: context.dependencies.clock.now())
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
