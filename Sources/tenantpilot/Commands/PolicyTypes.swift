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
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the policy types that schedules may name.",
            discussion: "Example: tenantpilot policy-types list --json")

        @Flag(name: .long, help: "Print one JSON document on stdout.")
        var json = false

        mutating func run() async throws {
            let registry = try PolicyTypeRegistry.load(environment: ProcessInfo.processInfo.environment)
            if json {
                CommandOutput.printJSON(["policy_types": registry.types])
            } else {
                for type in registry.types { CommandOutput.printLine("\(type.key)\t\(type.graphVersion)\t\(type.collectionPath)") }
            }
        }
    }
}
