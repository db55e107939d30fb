import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `backups …`: what was captured.
    struct Backups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backups",
            abstract: "Take, list, show, export, compare, pin and delete backup sets.",
            subcommands: [
                Create.self, List.self, Show.self, Export.self, Diff.self, Pin.self, Unpin.self, Delete.self,
            ]
        )
    }
}

extension TenantPilot.Backups {
    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List backup sets, newest first (sets still being written are never shown).",
            discussion: "Example:\n  tenantpilot backups list --tenant contoso --limit 10 --json")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this tenant's sets.", completion: Completions.tenants) var tenant: String?
        @Option(help: "Only sets of this schedule (id or TENANT/NAME).", completion: Completions.schedules)
        var schedule: ScheduleReference?
        @Option(parsing: .unconditional, help: "At most this many sets (newest first).") var limit: Int?

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit \(limit) must be at least 1") }
        }

        func run(in context: CommandContext) async throws {
            let store = try await context.openStore()
            var tenantId: Int64?
            if let tenant { tenantId = try await TenantService(store: store).findWithHistory(named: tenant).rowID }
            var scheduleId: Int64?
            if let schedule { scheduleId = try await ScheduleService(store: store).find(schedule).schedule.rowID }
            let sets = try await BackupSetStore(store: store).listSets(
                tenantId: tenantId, scheduleId: scheduleId, limit: limit
            )
            .map { BackupSetDocument($0) }
            context.emit(["backup_sets": sets]) {
                if sets.isEmpty { return "no backup sets" }
                return TextTable(
                    header: ["ID", "TENANT", "SCHEDULE", "RUN", "STATUS", "ITEMS", "CREATED (UTC)", "PIN"],
                    rows: sets.map {
                        [
                            String($0.id), $0.tenant,
                            ($0.schedule ?? "-") + ($0.scheduleRemoved ? " (removed)" : ""),
                            $0.runId.map(String.init) ?? "-", $0.status.rawValue, String($0.itemCount),
                            $0.createdAt.text, $0.pinned ? "yes" : "",
                        ]
                    }
                ).render()
            }
        }
    }

    struct Show: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a backup set and its items.",
            discussion: "Example:\n  tenantpilot backups show 12 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64

        func run(in context: CommandContext) async throws {
            guard let detail = try await BackupSetStore(store: try await context.openStore()).set(id: setId) else {
                throw TenantPilotError.notFound("no backup set with id \(setId); see `tenantpilot backups list`")
            }
            let document = BackupSetDocument(detail.summary, items: detail.items)
            context.emit(document) {
                var lines = [
                    "backup set \(document.id) of \(document.tenant) (\(document.status.rawValue), \(document.itemCount) items, \(document.createdAt))",
                    "  schedule: \(document.schedule ?? "-")\(document.scheduleRemoved ? " (removed)" : "")   run: \(document.runId.map(String.init) ?? "-")",
                ]
                if let pinnedAt = document.pinnedAt {
                    lines.append("  pinned:   \(pinnedAt)" + (document.pinNote.map { " (\($0))" } ?? ""))
                }
                lines.append(
                    TextTable(
                        header: ["TYPE", "GRAPH ID", "NAME", "SHA-256"],
                        rows: (document.items ?? []).map {
                            [$0.type, $0.graphId, $0.displayName, String($0.sha256.prefix(12))]
                        }
                    ).render())
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Export: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a set's payloads as JSON files: DIR/<type>/<name>__<graph id>.json.",
            discussion: """
                Files get mode 0600 and the folders the export makes 0700, whatever the umask;
                DIR/manifest.json names the tenant, the set and each item's type, Graph id, display
                name, SHA-256 and file. A DIR that exists and is not empty is refused unless --force.
                Writes the audit entry backup.exported.

                Example:
                  tenantpilot backups export 12 --out ./contoso-2026-03-29
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64
        @Option(help: ArgumentHelp("Folder to write into (created if missing).", valueName: "dir")) var out: String
        @Flag(help: "Write into a folder that is not empty (files of the same name are replaced).") var force = false

        func run(in context: CommandContext) async throws {
            let directory = try BackupExporter.outputFolder(out)
            let export = try await BackupExporter(store: BackupSetStore(store: try await context.openStore()))
                .export(setId: setId, to: directory, force: force, actor: context.actor, at: context.now)
            context.emit(
                ExportDocument(
                    setId: setId, out: directory.path, manifest: export.manifest.path, files: export.files.map(\.path))
            ) {
                "exported \(export.files.count) items of backup set \(setId) to \(directory.path) "
                    + "(manifest: \(export.manifest.lastPathComponent))"
            }
        }
    }

    struct Diff: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare two backup sets: policies added, removed and changed (volatile fields ignored).",
            discussion: "Example:\n  tenantpilot backups diff 11 12 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The older set.") var from: Int64
        @Argument(help: "The newer set.") var to: Int64

        func run(in context: CommandContext) async throws {
            let diff = try await BackupDiff.compare(
                from: from, to: to, store: BackupSetStore(store: try await context.openStore()),
                registry: try context.registry())
            context.emit(diff) {
                var lines: [String] = []
                if diff.crossTenant {
                    lines.append(
                        "note: backup sets \(from) and \(to) are of different tenants (\(diff.fromTenant), \(diff.toTenant)): "
                            + "policies are matched by type and display name, not by Graph id")
                }
                lines.append(
                    "backup set \(from) → \(to): \(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed, \(diff.unchanged) unchanged"
                )
                lines += diff.added.map { "+ \($0.type)  \($0.displayName)  (\($0.graphId))" }
                lines += diff.removed.map { "- \($0.type)  \($0.displayName)  (\($0.graphId))" }
                for entry in diff.changed {
                    lines.append("~ \(entry.type)  \(entry.displayName)  (\(entry.graphId))")
                    lines += (entry.changes ?? []).map { "    " + ChangeText.line($0) }
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}

/// `backups export --json`.
struct ExportDocument: Encodable {
    let setId: Int64
    let out: String
    let manifest: String
    let files: [String]
}
