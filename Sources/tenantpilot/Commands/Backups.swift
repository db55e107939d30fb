import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `backups …`: what was captured.
    struct Backups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backups",
            abstract: "List, show, export and compare backup sets.",
            subcommands: [List.self, Show.self, Export.self, Diff.self]
        )
    }
}

extension TenantPilot.Backups {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List backup sets, newest first (sets still being written are never shown).",
            discussion: "Example:\n  tenantpilot backups list --tenant contoso --json")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this tenant's sets.") var tenant: String?
        @Option(help: "Only sets of this schedule (id or TENANT/NAME).") var schedule: String?

        mutating func run() async throws {
            try await global.run { context in
                let reference = try schedule.map { (text: String) throws(TenantPilotError) in
                    try ScheduleReference(parsing: text)
                }
                let store = try context.openStore()
                let tenantId = try tenant.map { (name: String) throws(TenantPilotError) in
                    try TenantService(store: store).find(named: name).rowID
                }
                let scheduleId = try reference.map { (ref: ScheduleReference) throws(TenantPilotError) in
                    try ScheduleService(store: store).find(ref).schedule.rowID
                }
                let sets = try BackupSetStore(store: store).listSets(tenantId: tenantId, scheduleId: scheduleId).map {
                    BackupSetDocument($0)
                }
                context.emit(["backup_sets": sets]) {
                    if sets.isEmpty { return "no backup sets" }
                    return TextTable(
                        header: ["ID", "TENANT", "SCHEDULE", "RUN", "STATUS", "ITEMS", "CREATED (UTC)"],
                        rows: sets.map {
                            [
                                String($0.id), $0.tenant,
                                ($0.schedule ?? "-") + ($0.schedule_removed ? " (removed)" : ""),
                                $0.run_id.map(String.init) ?? "-", $0.status, String($0.item_count), $0.created_at,
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
            abstract: "Show a backup set and its items.",
            discussion: "Example:\n  tenantpilot backups show 12 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64

        mutating func run() async throws {
            try await global.run { context in
                guard let detail = try BackupSetStore(store: try context.openStore()).set(id: setId) else {
                    throw TenantPilotError.notFound("no backup set with id \(setId); see `tenantpilot backups list`")
                }
                let document = BackupSetDocument(detail.summary, items: detail.items)
                context.emit(document) {
                    var lines = [
                        "backup set \(document.id) of \(document.tenant) (\(document.status), \(document.item_count) items, \(document.created_at))",
                        "  schedule: \(document.schedule ?? "-")\(document.schedule_removed ? " (removed)" : "")   run: \(document.run_id.map(String.init) ?? "-")",
                    ]
                    lines.append(
                        TextTable(
                            header: ["TYPE", "GRAPH ID", "NAME", "SHA-256"],
                            rows: (document.items ?? []).map {
                                [$0.type, $0.graph_id, $0.display_name, String($0.sha256.prefix(12))]
                            }
                        ).render())
                    return lines.joined(separator: "\n")
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a set's payloads as JSON files: DIR/<type>/<name>__<graph id>.json.",
            discussion: "Example:\n  tenantpilot backups export 12 --out ./contoso-2026-03-29")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64
        @Option(help: ArgumentHelp("Folder to write into (created if missing).", valueName: "dir")) var out: String

        mutating func run() async throws {
            try await global.run { context in
                let directory = try BackupExporter.outputFolder(out)
                let files = try BackupExporter(store: BackupSetStore(store: try context.openStore())).export(
                    setId: setId, to: directory)
                context.emit(ExportDocument(set_id: setId, out: directory.path, files: files.map(\.path))) {
                    "exported \(files.count) items of backup set \(setId) to \(directory.path)"
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare two backup sets: policies added, removed and changed (volatile fields ignored).",
            discussion: "Example:\n  tenantpilot backups diff 11 12 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The older set.") var from: Int64
        @Argument(help: "The newer set.") var to: Int64

        mutating func run() async throws {
            try await global.run { context in
                let diff = try BackupDiff.compare(
                    from: from, to: to, store: BackupSetStore(store: try context.openStore()),
                    registry: try context.registry())
                context.emit(diff) {
                    var lines = [
                        "backup set \(from) → \(to): \(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed, \(diff.unchanged) unchanged"
                    ]
                    lines += diff.added.map { "+ \($0.type)  \($0.display_name)  (\($0.graph_id))" }
                    lines += diff.removed.map { "- \($0.type)  \($0.display_name)  (\($0.graph_id))" }
                    for entry in diff.changed {
                        lines.append("~ \(entry.type)  \(entry.display_name)  (\(entry.graph_id))")
                        lines += (entry.changes ?? []).map { "    " + ChangeText.line($0) }
                    }
                    return lines.joined(separator: "\n")
                }
            }
        }
    }
}

/// `backups export --json`.
struct ExportDocument: Encodable {
    let set_id: Int64
    let out: String
    let files: [String]
}
