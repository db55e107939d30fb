import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `tenants …`: the Microsoft 365 tenants whose Intune policies are backed up.
    struct Tenants: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tenants",
            abstract: "Register, list, change and remove tenants.",
            subcommands: [Add.self, Import.self, List.self, Show.self, Update.self, Remove.self]
        )
    }
}

extension TenantPilot.Tenants {
    struct Add: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a tenant (its secret or key is never stored, only where to read it).",
            discussion: """
                The credential is a client secret (--client-secret-env or --client-secret-file) or a
                certificate uploaded to the app registration (--certificate-file, with
                --private-key-file when the key is in a file of its own; keep it chmod 600).

                Examples:
                  export CONTOSO_SECRET=…   # or keep it in a file only you can read
                  tenantpilot tenants add --name contoso \\
                    --tenant-id 11111111-2222-3333-4444-555555555555 \\
                    --client-id 66666666-7777-8888-9999-000000000000 \\
                    --client-secret-env CONTOSO_SECRET
                  tenantpilot tenants add --name fabrikam \\
                    --tenant-id 22222222-3333-4444-5555-666666666666 \\
                    --client-id 77777777-8888-9999-0000-111111111111 \\
                    --certificate-file /etc/tenantpilot/fabrikam.crt \\
                    --private-key-file /etc/tenantpilot/fabrikam.key
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "Short name used in commands (TENANT/NAME addresses a schedule).")
        var name: String

        @Option(name: .customLong("tenant-id"), help: "The Microsoft Entra tenant id (a GUID).")
        var tenantId: String

        @Option(name: .customLong("client-id"), help: "The app registration's application (client) id.")
        var clientId: String

        @OptionGroup var credential: CredentialOptions

        @Option(name: .customLong("graph-url"), help: "Microsoft Graph base URL (national clouds, simulators).")
        var graphURL: String?

        @Option(name: .customLong("authority-url"), help: "Login authority base URL.")
        var authorityURL: String?

        func run(in context: CommandContext) async throws {
            let request = try NewTenant(
                name: name, tenantId: tenantId, clientId: clientId, secretEnv: credential.clientSecretEnv,
                secretFile: credential.clientSecretFile, graphURL: graphURL, authorityURL: authorityURL,
                certificateFile: credential.certificateFile, privateKeyFile: credential.privateKeyFile,
                now: context.now,
                environment: context.dependencies.environment)
            // `tenants add` and `tenants import` are the commands that create a missing store.
            let tenant = try await TenantService(store: try await context.openOrCreateStore()).add(
                request, actor: context.actor, at: context.now)
            TenantText.warn(request.warnings)
            context.emit(TenantDocument(tenant)) {
                if let certificate = request.certificate {
                    return
                        "tenant \(tenant.name) added (id \(tenant.rowID)); certificate \(certificate.summary.line); "
                        + "read from \(tenant.secretSourceDescription) at run time"
                }
                return
                    "tenant \(tenant.name) added (id \(tenant.rowID)); secret read from \(tenant.secretSourceDescription) at run time"
            }
        }
    }

    struct Import: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Register many tenants from a CSV file (with a header row) or a JSON array.",
            discussion: """
                The fields are those of `tenants add`: name, tenant_id, client_id, and one of
                client_secret_env, client_secret_file or certificate_file (with private_key_file);
                graph_url and authority_url are optional. CSV quoting is RFC 4180's (a value with a
                comma, quote or line break in double quotes, a quote written twice); an empty cell is
                a field not given. Relative paths are read from the file's folder.

                Every row is checked before any is written: a bad row is named by its line and field
                (exit 2) and nothing is registered. --dry-run only checks.

                Example tenants.csv (one line per tenant, GUIDs shortened here):
                  name,tenant_id,client_id,client_secret_file
                  contoso,1111…5555,6666…0000,secrets/contoso
                  "Fabrikam, EU",2222…6666,7777…1111,secrets/fabrikam

                Examples:
                  tenantpilot tenants import tenants.csv --dry-run
                  tenantpilot tenants import tenants.json --json
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("CSV or JSON file of tenants.", valueName: "file")) var file: String
        @Flag(help: "Check every row (against the store too); register nothing.") var dryRun = false

        func run(in context: CommandContext) async throws {
            let batch = try TenantImport.read(file, now: context.now, environment: context.dependencies.environment)
            let tenants: [Tenant]
            if dryRun && !FileManager.default.fileExists(atPath: context.databasePath) {
                // No store yet: nothing to collide with, and a dry run creates none.
                tenants = batch.rows.map { $0.request.tenant(at: context.now) }
            } else {
                let store = try await (dryRun ? context.openStore() : context.openOrCreateStore())
                tenants = try await TenantService(store: store).importTenants(
                    batch, dryRun: dryRun, actor: context.actor, at: context.now)
            }
            TenantText.warn(batch.warnings)
            context.emit(TenantImportDocument(batch, tenants: tenants, dryRun: dryRun)) {
                let verb = dryRun ? "would register" : "registered"
                let header =
                    "\(verb) \(tenants.count) tenant\(tenants.count == 1 ? "" : "s") from \(file)"
                    + (dryRun ? " (dry run: nothing was written)" : "")
                let table = TextTable(
                    header: ["LINE", "ID", "NAME", "TENANT ID", "SECRET FROM"],
                    rows: zip(batch.rows, tenants).map { row, tenant in
                        [
                            String(row.line), tenant.id.map(String.init) ?? "-", tenant.name, tenant.tenantGuid,
                            tenant.secretSourceDescription,
                        ]
                    }
                ).render()
                return header + "\n" + table
            }
        }
    }

    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List tenants (never showing a secret).",
            discussion: "Examples:\n  tenantpilot tenants list --json\n  tenantpilot tenants list --all")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Also list removed tenants (whose backups and history are kept until purged).")
        var all = false

        func run(in context: CommandContext) async throws {
            let tenants = try await TenantService(store: try await context.openStore())
                .list(includingRemoved: all)
            context.emit(["tenants": tenants.map(TenantDocument.init)]) {
                if tenants.isEmpty { return "no tenants; add one with `tenantpilot tenants add`" }
                return TextTable(
                    header: ["ID", "NAME", "TENANT ID", "CLIENT ID", "SECRET FROM", "GRAPH"],
                    rows: tenants.map {
                        [
                            String($0.rowID), $0.name + TenantText.state($0), $0.tenantGuid, $0.clientId,
                            $0.secretSourceDescription, $0.graphURL,
                        ]
                    }
                ).render()
            }
        }
    }

    struct Show: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a tenant: where its credential is read from, its schedules, backups and history.",
            discussion: "Examples:\n  tenantpilot tenants show contoso\n  tenantpilot tenants show 3 --json")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Tenant name or id (a removed tenant too).") var tenant: String

        func run(in context: CommandContext) async throws {
            let overview = try await TenantService(store: try await context.openStore()).show(tenant)
            let document = TenantOverviewDocument(overview)
            context.emit(document) { TenantText.detail(document) }
        }
    }

    struct Update: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change a tenant's name, client id, credential source, Graph or authority URL.",
            discussion: """
                A new credential (--client-secret-env, --client-secret-file, or --certificate-file with
                --private-key-file) replaces the old one. A source that cannot be read in this shell is
                a warning, not an error (the crontab's environment may differ).

                Examples:
                  tenantpilot tenants update contoso \\
                    --client-secret-file /etc/tenantpilot/contoso.secret
                  tenantpilot tenants update contoso --name contoso-eu --client-id 7777…
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Tenant name or id.") var tenant: String
        @Option(help: "New short name.") var name: String?
        @Option(name: .customLong("client-id"), help: "New application (client) id.") var clientId: String?
        @OptionGroup var credential: CredentialOptions
        @Option(name: .customLong("graph-url"), help: "New Microsoft Graph base URL.") var graphURL: String?
        @Option(name: .customLong("authority-url"), help: "New login authority base URL.") var authorityURL: String?

        func run(in context: CommandContext) async throws {
            let changes = try TenantChanges(
                name: name, clientId: clientId, secretEnv: credential.clientSecretEnv,
                secretFile: credential.clientSecretFile,
                certificateFile: credential.certificateFile, privateKeyFile: credential.privateKeyFile,
                graphURL: graphURL,
                authorityURL: authorityURL, now: context.now, environment: context.dependencies.environment)
            let (updated, changed) = try await TenantService(store: try await context.openStore())
                .update(tenant, changes: changes, actor: context.actor, at: context.now)
            TenantText.warn(changes.warnings)
            context.emit(TenantDocument(updated)) {
                changed.isEmpty
                    ? "tenant \(updated.name) unchanged (every value given was already so)"
                    : "tenant \(updated.name) (id \(updated.rowID)) updated: \(changed.joined(separator: ", ")); "
                        + "credential read from \(updated.secretSourceDescription) at run time"
            }
        }
    }

    struct Remove: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a tenant; its backups and run history stay unless --purge.",
            discussion: """
                Refused while the tenant has schedules, unless --with-schedules removes them too. A
                removed tenant is no longer listed or backed up, and its name may be used again; its
                backup sets and runs stay (backups list --tenant NAME still finds them).

                --purge deletes, in one transaction, the tenant's backup sets with their items, the
                payloads no other set uses, its runs, its policies and the notifications of its runs,
                then gives the space back to the file system. Other tenants are not touched. The
                audit log keeps every entry, and gains tenant.removed and tenant.purged. A removed
                tenant can be purged later.

                Examples:
                  tenantpilot tenants remove contoso --with-schedules
                  tenantpilot tenants remove contoso --with-schedules --purge
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Tenant name or id.") var tenant: String
        @Flag(name: .customLong("with-schedules"), help: "Remove the tenant's schedules too.")
        var withSchedules = false
        @Flag(help: "Delete the tenant's backups, runs, policies and notifications (the audit log stays).")
        var purge = false

        func run(in context: CommandContext) async throws {
            context.announceClock()
            let removal = try await TenantService(store: try await context.openStore())
                .remove(tenant, withSchedules: withSchedules, purge: purge, actor: context.actor, at: context.now)
            let document = TenantRemovalDocument(removal)
            context.emit(document) { TenantText.removal(removal) }
        }
    }
}

/// Human renderings shared by the tenant commands.
enum TenantText {
    /// Warnings of `add`, `update` and `import` on stderr.
    static func warn(_ warnings: [String]) {
        for warning in warnings {
            CommandOutput.writeError("warning: " + CommandOutput.visible(warning) + "\n")
        }
    }

    /// ` (removed)` or ` (purged)` after a removed tenant's name.
    static func state(_ tenant: Tenant) -> String {
        tenant.purgedAt != nil ? " (purged)" : tenant.isRemoved ? " (removed)" : ""
    }

    static func detail(_ document: TenantOverviewDocument) -> String {
        let tenant = document.tenant
        var source = "-"
        if let env = tenant.clientSecretEnv {
            source = "env:\(env)"
        } else if let file = tenant.clientSecretFile {
            source = "file:\(file)"
        } else if let certificate = tenant.certificateFile {
            source = "cert:\(certificate)" + (tenant.privateKeyFile.map { " key:\($0)" } ?? "")
        }
        var lines = ["tenant \(tenant.name) (id \(tenant.id))"]
        if let removed = tenant.removedAt {
            lines[0] += tenant.purgedAt.map { " [purged \($0)]" } ?? " [removed \(removed)]"
        }
        lines += [
            "  tenant id:     \(tenant.tenantId)",
            "  client id:     \(tenant.clientId)",
            "  credential:    \(source)",
            "  graph:         \(tenant.graphUrl)",
            "  authority:     \(tenant.authorityUrl)",
            "  created:       \(tenant.createdAt)",
            "  schedules:     "
                + (document.schedules.isEmpty
                    ? "none" : document.schedules.map { "\($0.name) (id \($0.id))" }.joined(separator: ", ")),
            "  backup sets:   \(document.backupSets) (\(document.pinnedSets) pinned)"
                + (document.latestBackupSetId.map { id in
                    "; latest \(id) at \(document.latestBackupAt?.text ?? "?")"
                } ?? ""),
            "  runs:          \(document.runs)",
            "  audit entries: \(document.auditEntries)",
        ]
        return lines.joined(separator: "\n")
    }

    static func removal(_ removal: TenantService.Removal) -> String {
        let name = removal.tenant.name
        var lines: [String] = []
        for schedule in removal.removedSchedules {
            lines.append("schedule \(name)/\(schedule.name) (id \(schedule.rowID)) removed")
        }
        if let purge = removal.purge {
            if removal.wasPurged {
                lines.append(
                    "tenant \(name) was already purged on \(removal.tenant.purgedAt?.text ?? "?"); nothing to do")
            } else {
                lines.append(
                    "tenant \(name) (id \(removal.tenant.rowID)) \(removal.wasRemoved ? "" : "removed and ")purged: "
                        + "\(purge.sets) backup sets (\(purge.items) items), \(purge.payloads) payloads "
                        + "(\(TenantPilot.Retention.Apply.bytes(purge.bytesFreed))), \(purge.runs) runs, "
                        + "\(purge.policies) policies and \(purge.notifications) notifications deleted")
            }
            lines.append("its \(removal.auditEntries) audit entries stay")
        } else {
            lines.append(
                "tenant \(name) (id \(removal.tenant.rowID)) removed; its \(removal.keptSets) backup sets and "
                    + "\(removal.keptRuns) runs stay (delete them with `tenantpilot tenants remove \(name) --purge`)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Where a tenant's credential is read from at run time: `tenants add` (one is required) and
/// `tenants update` (one replaces the old).
struct CredentialOptions: ParsableArguments {
    @Option(
        name: .customLong("client-secret-env"),
        help: ArgumentHelp("Environment variable that holds the client secret at run time.", valueName: "var"))
    var clientSecretEnv: String?

    @Option(
        name: .customLong("client-secret-file"),
        help: ArgumentHelp("File that holds the client secret (mode 600).", valueName: "path"))
    var clientSecretFile: String?

    @Option(
        name: .customLong("certificate-file"),
        help: ArgumentHelp("PEM certificate of the app registration (may hold the key too).", valueName: "pem"))
    var certificateFile: String?

    @Option(
        name: .customLong("private-key-file"),
        help: ArgumentHelp("PEM RSA private key of the certificate (mode 600).", valueName: "pem"))
    var privateKeyFile: String?
}
