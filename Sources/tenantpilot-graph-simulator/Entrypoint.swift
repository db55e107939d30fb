import ArgumentParser
import GraphSimulator

@main
struct GraphSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantpilot-graph-simulator",
        abstract: "Serve simulated Microsoft Graph tenants on loopback.")
    mutating func run() async throws {}
}
