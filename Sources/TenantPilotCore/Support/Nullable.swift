/// Marks an optional property of a `--json` document that is printed as `null` when absent
/// (the contract of docs/cli.md names these keys in every document), where Swift's synthesized
/// encoding would leave the key out. Keys that are only sometimes present (`items` of a set
/// outside `backups show`) stay plain optionals. Together with the one key strategy of the
/// command line's encoder (snake_case from the camelCase names), this is how every document
/// decides its keys and its nulls.
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension Nullable: Equatable where Value: Equatable {}
extension Nullable: Hashable where Value: Hashable {}
