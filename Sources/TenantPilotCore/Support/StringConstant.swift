/// A closed set of string values named by static members (`ErrorCode.notFound`,
/// `AuditAction.runStarted`): stored and printed as the bare string, compared by value.
public protocol StringConstant: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension StringConstant {
    public var description: String { rawValue }
}
