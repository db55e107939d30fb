import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `store …`: the store itself.
    struct StoreCommands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Move the store from SQLite to PostgreSQL.",
            subcommands: [Copy.self]
        )
    }

    /// The copy's progress on a terminal: one line, rewritten.
    @Sendable static func progressLine(_ progress: StoreCopy.Progress) {
        CommandOutput.writeError("\r\u{1B}[K  \(progress.table): \(progress.rowsCopied) of \(progress.rowsTotal) rows")
    }
}

extension TenantPilot.StoreCommands {
    struct Copy: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy a SQLite store into an empty PostgreSQL database.",
            discussion: """
                Copies every row of every table, ids kept, in one transaction: the target gets \
                the same migrations first and must hold no rows; a copy that fails leaves it \
                empty. Stop cron's dispatch while you copy, then point every host at the URL. \
                The SQLite file is left as it was (migrated to this version if it was older). \
                The password comes from --db-password-file, else $PGPASSWORD, else ~/.pgpass. \
                Progress is shown on a terminal.

                Example:
                  tenantpilot store copy --from /var/lib/tenantpilot/tenantpilot.sqlite \\
                    --to 'postgresql://tenantpilot@db.example.com/tp?sslmode=verify-full'
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: ArgumentHelp("The SQLite store to copy.", valueName: "path"))
        var from: String

        @Option(
            name: .long,
            help: ArgumentHelp("The empty PostgreSQL database: postgresql://USER@HOST[:PORT]/DB.", valueName: "url"))
        var to: String

        func validate() throws {
            if from.isEmpty { throw ValidationError("--from \"\" names no file; give the SQLite store's path") }
        }

        func run(in context: CommandContext) async throws {
            guard PostgreSQLLocation.isURL(to) else {
                throw TenantPilotError.invalid(
                    "--to: \(PlainText.escaped(to).debugDescription) is not a PostgreSQL URL (expected postgresql://USER@HOST[:PORT]/DB)"
                )
            }
            let target = try PostgreSQLLocation.parse(to, source: "--to", environment: context.dependencies.environment)
                .resolvingPassword(
                    passwordFile: global.dbPasswordFile, environment: context.dependencies.environment,
                    logger: context.dependencies.logger)
            let source = StateLocation.databasePath(explicit: from, environment: context.dependencies.environment)
            let showProgress = !context.json && isatty(STDERR_FILENO) == 1
            let report = try await StoreCopy(source: source, target: target, logger: context.dependencies.logger).copy(
                actor: context.actor, at: context.now,
                progress: showProgress ? TenantPilot.StoreCommands.progressLine : nil)
            if showProgress { CommandOutput.writeError("\r\u{1B}[K") }
            context.emit(report) {
                "copied \(report.totalRows) rows of \(report.rows.count) tables from \(report.from) to \(report.to)"
            }
        }
    }

    /// The copy's progress on a terminal: one line, rewritten.
    @Sendable static func progressLine(_ progress: StoreCopy.Progress) {
        CommandOutput.writeError("\r\u{1B}[K  \(progress.table): \(progress.rowsCopied) of \(progress.rowsTotal) rows")
    }
}
