import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot.Backups {
    struct Create: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Back up a tenant now, without a schedule (trigger manual); the set is kept until deleted.",
            discussion: """
                No retention rule ever deletes such a set: it belongs to no schedule. Take one before
                a risky change; delete it with `backups delete` when it is no longer needed.
                Without --types, every type of the registry is backed up. Exit codes: 0 success,
                1 failed, 3 partial, 4 skipped; a run that did not succeed is also named on stderr.

                Examples:
                  tenantpilot backups create --tenant contoso
                  tenantpilot backups create --tenant contoso \\
                    --types settingsCatalogPolicy,deviceCompliancePolicy
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var timeout: RunTimeoutOption
        @Option(help: "Tenant name.") var tenant: String
        @Option(
            help: ArgumentHelp(
                "Policy-type keys, comma-separated, or all (the default; see `tenantpilot policy-types list`).",
                valueName: "k1,k2|all"))
        var types: [String] = []

        func run(in context: CommandContext) async throws {
            let keys = try ScheduleInput.policyTypes(types.isEmpty ? ["all"] : types, registry: try context.registry())
            context.announceClock()
            let store = try await context.openStore()
            let runs = ManualRuns(executor: try context.runExecutor(store: store, deadline: timeout.deadline))
            let finished = try await runs.backUp(
                tenant: tenant, types: keys, actor: context.actor, at: context.now,
                progress: ProgressLine.make(context))
            ProgressLine.clear(context)
            let document = try await RunHistory(store: store).find(finished.rowID)
            context.emit(document) { RunText.detail(document) }
            if finished.status != .success {
                // The one line a mailed cron job shows: what did not succeed, and why.
                let message = (finished.errorMessage ?? "").prefix(200)
                CommandOutput.writeError(
                    CommandOutput.visible(
                        "run \(finished.rowID) \(RunText.name(document)) \(finished.status.rawValue) "
                            + "\(finished.errorCode?.rawValue ?? "-"): \(message)") + "\n")
            }
            try context.exit(with: ExitStatus.of(run: finished.status))
        }
    }

    struct Pin: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "pin",
            abstract: "Keep a set from every retention rule until it is unpinned.",
            discussion: "Example:\n  tenantpilot backups pin 12 --note \"before the Windows 11 baseline change\"")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64
        @Option(help: ArgumentHelp("Why the set is kept (at most 500 characters).", valueName: "text"))
        var note: String?

        func run(in context: CommandContext) async throws {
            let summary = try await BackupSetStore(store: try await context.openStore())
                .pin(setId, note: note, actor: context.actor, at: context.now)
            context.emit(BackupSetDocument(summary)) {
                "backup set \(setId) of \(summary.tenantName) pinned: every retention rule keeps it"
                    + (summary.pinNote.map { " (\($0))" } ?? "")
            }
        }
    }

    struct Unpin: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "unpin",
            abstract: "Hand a pinned set back to its schedule's retention rules.",
            discussion: "Example:\n  tenantpilot backups unpin 12")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set id.") var setId: Int64

        func run(in context: CommandContext) async throws {
            let (summary, changed) = try await BackupSetStore(store: try await context.openStore())
                .unpin(setId, actor: context.actor, at: context.now)
            context.emit(BackupSetDocument(summary)) {
                changed
                    ? "backup set \(setId) unpinned: its schedule's retention rules decide again"
                    : "backup set \(setId) was not pinned"
            }
        }
    }

    struct Delete: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete backup sets with their items and the payloads no other set uses.",
            discussion: """
                Every id is checked before anything is deleted: an unknown id, a set still being
                written or a pinned set (without --force) is refused (exit 2) and nothing is
                deleted. One backup.deleted audit entry per set.

                Example:
                  tenantpilot backups delete 12 13
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Backup set ids.") var setIds: [Int64]
        @Flag(help: "Delete pinned sets too.") var force = false

        func validate() throws {
            guard !setIds.isEmpty else { throw ValidationError("name at least one backup set id") }
        }

        func run(in context: CommandContext) async throws {
            let deletion = try await BackupSetStore(store: try await context.openStore())
                .deleteSets(setIds, force: force, actor: context.actor, at: context.now)
            context.emit(
                DeletionDocument(
                    deleted: deletion.setIds, payloadsRemoved: deletion.payloadsRemoved,
                    bytesFreed: deletion.bytesFreed, pagesReclaimed: deletion.pagesReclaimed)
            ) {
                "deleted backup set\(deletion.setIds.count == 1 ? "" : "s") "
                    + deletion.setIds.map(String.init).joined(separator: ", ")
                    + "; \(deletion.payloadsRemoved) payloads removed, "
                    + "\(TenantPilot.Retention.Apply.bytes(deletion.bytesFreed)) freed"
            }
        }
    }
}

/// `backups delete --json`.
struct DeletionDocument: Encodable {
    let deleted: [Int64]
    let payloadsRemoved: Int
    let bytesFreed: Int64
    let pagesReclaimed: Int
}
