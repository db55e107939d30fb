import ArgumentParser
import Foundation
import TenantPilotCore

extension TenantPilot {
    /// `policy-types …`: the registry of Intune policy types.
    struct PolicyTypes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy-types",
            abstract: "Show the policy-type registry.",
            subcommands: [List.self]
        )
    }
}

extension TenantPilot.PolicyTypes {
    struct List: TenantPilotCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the policy types that schedules may name.",
            discussion: "Example:\n  tenantpilot policy-types list --json")

        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) async throws {
            let registry = try context.registry()
            context.emit(["policy_types": registry.types.map(PolicyTypeDocument.init)]) {
                TextTable(
                    header: ["KEY", "VERSION", "COLLECTION", "LABEL"],
                    rows: registry.types.map { [$0.key, $0.graphVersion, $0.collectionPath, $0.label] }
                ).render()
            }
        }
    }
}
