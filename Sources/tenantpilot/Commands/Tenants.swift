import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `tenants …`: the Microsoft 365 tenants whose Intune policies are backed up.
    struct Tenants: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tenants",
            abstract: "Register and list tenants.",
            subcommands: [Add.self, List.self]
        )
    }
}

extension TenantPilot.Tenants {
    struct Add: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a tenant (the client secret itself is never stored, only where to read it).",
            discussion: """
                Example:
                  export CONTOSO_SECRET=…   # or keep it in a file readable only by you (chmod 600)
                  tenantpilot tenants add --name contoso \\
                    --tenant-id 11111111-2222-3333-4444-555555555555 \\
                    --client-id 66666666-7777-8888-9999-000000000000 \\
                    --client-secret-env CONTOSO_SECRET
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "Short name used in commands (TENANT/NAME addresses a schedule).")
        var name: String

        @Option(name: .customLong("tenant-id"), help: "The Microsoft Entra tenant id (a GUID).")
        var tenantId: String

        @Option(name: .customLong("client-id"), help: "The app registration's application (client) id.")
        var clientId: String

        @Option(
            name: .customLong("client-secret-env"),
            help: ArgumentHelp("Environment variable that holds the client secret at run time.", valueName: "var"))
        var clientSecretEnv: String?

        @Option(
            name: .customLong("client-secret-file"),
            help: ArgumentHelp("File that holds the client secret (mode 600).", valueName: "path"))
        var clientSecretFile: String?

        @Option(name: .customLong("graph-url"), help: "Microsoft Graph base URL (national clouds, simulators).")
        var graphURL: String?

        @Option(name: .customLong("authority-url"), help: "Login authority base URL.")
        var authorityURL: String?

        func run(in context: CommandContext) async throws {
            let request = try NewTenant(
                name: name, tenantId: tenantId, clientId: clientId, secretEnv: clientSecretEnv,
                secretFile: clientSecretFile, graphURL: graphURL, authorityURL: authorityURL)
            let tenant = try await TenantService(store: try await context.openStore()).add(
                request, actor: context.actor, at: context.now)
            context.emit(TenantDocument(tenant)) {
                "tenant \(tenant.name) added (id \(tenant.rowID)); secret read from \(tenant.secretSourceDescription) at run time"
            }
        }
    }

    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List tenants (never showing a secret).",
            discussion: "Example:\n  tenantpilot tenants list --json")

        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            let tenants = try await TenantService(store: try await context.openStore()).list()
            context.emit(["tenants": tenants.map(TenantDocument.init)]) {
                if tenants.isEmpty { return "no tenants; add one with `tenantpilot tenants add`" }
                return TextTable(
                    header: ["ID", "NAME", "TENANT ID", "CLIENT ID", "SECRET FROM", "GRAPH"],
                    rows: tenants.map {
                        [
                            String($0.rowID), $0.name, $0.tenantGuid, $0.clientId, $0.secretSourceDescription,
                            $0.graphURL,
                        ]
                    }
                ).render()
            }
        }
    }
}
