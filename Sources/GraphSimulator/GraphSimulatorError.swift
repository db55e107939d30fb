/// A misuse of the simulator's control API (an unknown tenant, type or policy).
public struct GraphSimulatorError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
