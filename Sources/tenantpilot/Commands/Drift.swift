import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `drift (T | TENANT/NAME | --all) [--against SET_ID]`.
    struct Drift: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "drift",
            abstract: "Compare a live tenant with its latest backup (or --against a set); stores nothing.",
            discussion: """
                A schedule (TENANT/NAME) is checked with its policy types against its latest usable
                set; a tenant (T) with the types of its latest set; --all checks every enabled
                schedule. Prints what was added, removed and changed (each changed property with its
                old and new value; assignments compare as sets). Exit codes: 0 no drift, 5 drift,
                1 a check could not be done.

                Examples:
                  tenantpilot drift contoso/nightly
                  tenantpilot drift --all --json
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "A tenant name, or a schedule as TENANT/NAME.") var subject: String?
        @Flag(help: "Check every enabled schedule.") var all = false
        @Option(help: ArgumentHelp("Compare with this backup set instead of the latest.", valueName: "set-id"))
        var against: Int64?

        func validate() throws {
            if all && subject != nil {
                throw ValidationError("give a tenant, a TENANT/NAME schedule or --all, not both")
            }
            if !all && subject == nil { throw ValidationError("name a tenant, a TENANT/NAME schedule, or give --all") }
        }

        func run(in context: CommandContext) async throws {
            let what: DriftService.Subject
            if all {
                what = .all
            } else if let subject, subject.contains("/") {
                what = .schedule(try ScheduleReference(parsing: subject))
            } else {
                what = .tenant(subject ?? "")
            }
            let store = try await context.openStore()
            // Each check that found drift fires the `drift` hooks of its schedule or tenant.
            let service = DriftService(
                store: store, registry: try context.registry(), dependencies: context.dependencies,
                observer: context.hooks(store: store))
            let report = try await service.check(what, against: against)
            context.emit(report) { DriftText.report(report) }
            for check in report.checks where check.error != nil || check.drifted {
                CommandOutput.writeError(DriftText.problem(check) + "\n")
            }
            try context.exit(with: report.exitCode)
        }
    }
}

/// Plain-text renderings of drift.
enum DriftText {
    static func name(_ check: DriftReport.Check) -> String { check.schedule ?? check.tenant }

    static func report(_ report: DriftReport) -> String {
        var lines: [String] = []
        for check in report.checks {
            if let error = check.error {
                lines.append("\(name(check)): could not check: \(error.message)")
                continue
            }
            let against = check.against.map { "backup set \($0)" } ?? "no set"
            guard check.drifted else {
                lines.append("\(name(check)): no drift since \(against)")
                continue
            }
            lines.append(
                "\(name(check)): drift since \(against): \(check.added.count) added, \(check.removed.count) removed, \(check.changed.count) changed"
            )
            lines += check.added.map {
                ChangeText.cut("+ \($0.type)  \($0.displayName)  (\($0.graphId))", to: ChangeText.width)
            }
            lines += check.removed.map {
                ChangeText.cut("- \($0.type)  \($0.displayName)  (\($0.graphId))", to: ChangeText.width)
            }
            for changed in check.changed {
                lines.append(
                    ChangeText.cut(
                        "~ \(changed.type)  \(changed.displayName)  (\(changed.graphId))", to: ChangeText.width))
                lines += changed.changes.map { "    " + ChangeText.line($0) }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The stderr line of a check that found drift or could not be done (the shape of a run's).
    static func problem(_ check: DriftReport.Check) -> String {
        if let error = check.error {
            return RunProblemLine.line(
                subject: "drift", name: name(check), status: "failed", code: error.code.rawValue,
                message: error.message)
        }
        return RunProblemLine.line(
            subject: "drift", name: name(check), status: "drift", code: nil,
            message: "against set \(check.against.map(String.init) ?? "-"): \(check.added.count) added, "
                + "\(check.removed.count) removed, \(check.changed.count) changed")
    }
}
