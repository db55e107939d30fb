import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `restore SET_ID`: put a backup back into a tenant, plan first.
    struct Restore: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Put a backup set back into a tenant: show the plan (default), or --apply it.",
            discussion: """
                The plan compares the set with the live target and names, per policy, what a restore
                would do: create, update (with the changed properties), unchanged, skip (with why) and,
                with --prune, delete. It writes nothing anywhere. --apply carries it out, records a
                run (trigger restore) and audits every write. Exit codes: plan 0 (5 with --exit-code
                when it would write); apply 0 done, 3 some writes failed, 1 none could be done,
                4 the tenant is being backed up or restored right now.

                Examples:
                  tenantpilot restore 12
                  tenantpilot restore 12 --to fabrikam --types deviceConfiguration --apply
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64
        @Option(help: ArgumentHelp("Tenant to restore into (default: the set's own).", valueName: "tenant")) var to:
            String?
        @Option(help: ArgumentHelp("Only these policy-type keys, comma-separated, or all.", valueName: "k1,k2"))
        var types: String?
        @Option(
            name: .customLong("policy"), parsing: .upToNextOption,
            help: ArgumentHelp("Only the set's policies with these Graph ids.", valueName: "graph-id"))
        var policies: [String] = []
        @Flag(name: .customLong("no-assignments"), help: "Leave assignments out (the target's stay as they are).")
        var noAssignments = false
        @Flag(help: "Also delete the target's policies of the restored types that the set does not hold.") var prune =
            false
        @Flag(help: "Only show what would be done (the default).") var plan = false
        @Flag(help: "Carry the plan out.") var apply = false
        @Flag(
            name: .customLong("exit-code"), help: "With a plan: exit 5 when it would create, update or delete anything."
        )
        var exitCode = false

        func validate() throws {
            if plan && apply { throw ValidationError("--plan and --apply cannot be given together") }
            if types?.isEmpty == true { throw ValidationError("--types needs at least one policy-type key") }
        }

        func run(in context: CommandContext) async throws {
            let request = RestoreRequest(
                setId: setId, to: to,
                types: types.map {
                    $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                },
                policies: policies, includeAssignments: !noAssignments, prune: prune)
            let store = try await context.openStore()
            let service = RestoreService(
                store: store, registry: try context.registry(), dependencies: context.dependencies,
                observer: context.hooks(store: store))
            let scope = try await service.scope(request)
            if !apply {
                let planned = try await service.plan(scope)
                context.emit(RestorePlanDocument(planned)) { RestoreText.plan(planned, applied: nil) }
                try context.exit(with: exitCode && planned.hasWrites ? ExitStatus.differences : ExitStatus.success)
                return
            }
            let (planned, outcome) = try await service.apply(scope, actor: context.actor)
            let run = try await RunHistory(store: store).find(outcome.run.rowID)
            if let planned {
                context.emit(RestorePlanDocument(planned, outcomes: outcome.results, run: run)) {
                    RestoreText.plan(planned, applied: outcome.results) + "\n"
                        + ChangeText.cut(RunText.line(run), to: ChangeText.width)
                }
            } else {
                context.emit(["run": run]) { RunText.line(run) }
            }
            if outcome.run.status != .success { RunText.problem(run) }
            try context.exit(with: outcome.exitCode)
        }
    }
}

/// Plain-text renderings of a restore plan.
enum RestoreText {
    static func plan(_ plan: RestorePlan, applied results: [RestoreOutcome.ActionResult]?) -> String {
        let kinds: [RestorePlan.Kind] = [.create, .update, .delete, .unchanged, .skip]
        let summary = kinds.map { "\(plan.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        let from = plan.crossTenant ? " (from \(plan.source?.name ?? "a removed tenant"))" : ""
        var lines = [
            ChangeText.cut("restore of backup set \(plan.setId) into \(plan.target.name)\(from)", to: ChangeText.width),
            ChangeText.cut("  " + summary, to: ChangeText.width),
        ]
        if plan.actions.isEmpty { return lines.joined(separator: "\n") }
        let header = results == nil ? ["ACTION", "TYPE", "NAME"] : ["ACTION", "TYPE", "NAME", "RESULT"]
        let typeWidth = plan.actions.map(\.type.key.count).max() ?? 4
        let nameWidth = max(12, ChangeText.width - 11 - (typeWidth + 2) - (results == nil ? 0 : 8))
        var rows: [[String]] = []
        var details: [Int: [String]] = [:]
        for (index, action) in plan.actions.enumerated() {
            let result = results?[index]
            var row = [action.kind.rawValue, action.type.key, ChangeText.cut(action.displayName, to: nameWidth)]
            if results != nil { row.append(action.writes ? (result?.error == nil ? "done" : "failed") : "-") }
            rows.append(row)
            var notes: [String] = []
            if let target = result?.targetId ?? action.targetId, action.kind != .unchanged || action.graphId != target {
                notes.append("target id \(target)")
            }
            notes += action.changes.map { ChangeText.line($0) }
            notes += (action.warnings + (result?.warnings ?? [])).map {
                ChangeText.cut("! " + $0, to: ChangeText.width - 4)
            }
            if let error = result?.error {
                notes.append(ChangeText.cut("✗ " + error.message, to: ChangeText.width - 4))
            }
            if !notes.isEmpty { details[index] = notes }
        }
        let table = TextTable(header: header, rows: rows).render().split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init)
        lines.append(table[0])
        for (index, line) in table.dropFirst().enumerated() {
            lines.append(line)
            lines += (details[index] ?? []).map { "    " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
