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

        @Option(name: .customLong("graph-url"), help: "Microsoft Graph base URL (national clouds, simulators).")
        var graphURL: String?

        @Option(name: .customLong("authority-url"), help: "Login authority base URL.")
        var authorityURL: String?

        func run(in context: CommandContext) async throws {
            let request = try NewTenant(
                name: name, tenantId: tenantId, clientId: clientId, secretEnv: clientSecretEnv,
                secretFile: clientSecretFile, graphURL: graphURL, authorityURL: authorityURL,
                certificateFile: certificateFile, privateKeyFile: privateKeyFile, now: context.now)
            // `tenants add` is one of the two commands that create a missing store.
            let tenant = try await TenantService(store: try await context.openOrCreateStore()).add(
                request, actor: context.actor, at: context.now)
            for warning in request.certificate?.warnings ?? [] {
                CommandOutput.writeError("warning: " + CommandOutput.visible(warning) + "\n")
            }
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
