import Foundation
import NIOCore
import PostgresNIO

// How typed values are stored in PostgreSQL: the same forms as in SQLite (SQLiteColumnValues) —
// instants as their `ISO8601.string` text, codes and statuses as their raw text, JSON columns as
// canonical JSON text, payloads as bytes (`bytea`), flags as `boolean`. Text columns use the "C"
// collation, so that they sort byte by byte as SQLite's do.

/// A value that can be a statement's parameter.
protocol PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) throws
}

extension String: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int64: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(Int64(self)) }
}

extension Int32: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Bool: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Data: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(ByteBuffer(bytes: self)) }
}

extension Instant: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.append(text) }
}

extension Array: PostgreSQLValue where Element: PostgresArrayEncodable & PostgresNonThrowingEncodable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Optional: PostgreSQLValue where Wrapped: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) throws {
        switch self {
        case .some(let value): try value.bind(into: &bindings)
        case .none: bindings.appendNull()
        }
    }
}

/// Codes, actions and kinds: their raw text.
extension PostgreSQLValue where Self: RawRepresentable, Self.RawValue == String {
    func bind(into bindings: inout PostgresBindings) { bindings.append(rawValue) }
}

extension ErrorCode: PostgreSQLValue {}
extension AuditAction: PostgreSQLValue {}
extension AuditResource: PostgreSQLValue {}
extension UserNotification.Kind: PostgreSQLValue {}
extension BackupRun.Status: PostgreSQLValue {}
extension BackupRun.Trigger: PostgreSQLValue {}
extension BackupSetStatus: PostgreSQLValue {}
extension BackupSetOutcome: PostgreSQLValue {}

/// A `NULL` of no particular type, for parameters whose column fixes the type.
struct PostgreSQLNull: PostgreSQLValue {
    func bind(into bindings: inout PostgresBindings) { bindings.appendNull() }
}

// MARK: - Reading

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }

    func int64(_ column: String) throws -> Int64 { try value(column) }
    func optionalInt64(_ column: String) throws -> Int64? { try value(column, as: Int64?.self) }
    func int(_ column: String) throws -> Int { Int(try int64(column)) }
    func string(_ column: String) throws -> String { try value(column) }
    func optionalString(_ column: String) throws -> String? { try value(column, as: String?.self) }
    func bool(_ column: String) throws -> Bool { try value(column) }

    /// A non-null instant column; a text no version writes is `STORE_CORRUPT`.
    func instant(_ column: String) throws -> Instant {
        let text = try string(column)
        guard let instant = Instant(text: text) else {
            throw TenantPilotError.failed("\(column) holds \(text), which is not an instant", code: .storeCorrupt)
        }
        return instant
    }

    func optionalInstant(_ column: String) throws -> Instant? {
        try optionalString(column).flatMap(Instant.init(text:))
    }

    /// A raw-text code or status column.
    func code<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let text = try string(column)
        guard let value = T(rawValue: text) else {
            throw TenantPilotError.failed("\(column) holds \(text), which no version writes", code: .storeCorrupt)
        }
        return value
    }

    func optionalCode<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T?
    where T.RawValue == String {
        guard let text = try optionalString(column) else { return nil }
        guard let value = T(rawValue: text) else {
            throw TenantPilotError.failed("\(column) holds \(text), which no version writes", code: .storeCorrupt)
        }
        return value
    }

    func bytes(_ column: String) throws -> Data {
        let buffer = try value(column, as: ByteBuffer.self)
        return Data(buffer.readableBytesView)
    }
}
