import Foundation

extension JSONValue {
    /// Why a document is not JSON, with the byte offset where reading stopped.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let offset: Int
        public let reason: String
        public var description: String { "not valid JSON at byte \(offset): \(reason)" }
    }

    /// Parses a JSON document (RFC 8259; a bare scalar is accepted, as JSONDecoder accepts it).
    ///
    /// Hand-written because this is the Graph client's hottest path: going through
    /// `JSONDecoder` and `Decodable` cost most of a capture's CPU (every scalar first failed as
    /// `Bool`, then `Int64`, … each failure building a `DecodingError` with its coding path).
    /// Numbers are read as JSONDecoder reads them into `JSONValue`: an integral value that fits
    /// `Int64` is `.int` (also when written `1.0` or `1e3`), anything else `.double`.
    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
            return try parser.document()
        }
    }

    /// A recursive-descent reader over UTF-8 bytes.
    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        /// JSONDecoder's limit too: a hostile body cannot exhaust the stack.
        static let maxDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() throws -> JSONValue {
            // A UTF-8 byte order mark is tolerated, as Foundation tolerates it.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
            skipWhitespace()
            let value = try self.value(depth: 0)
            skipWhitespace()
            guard position == bytes.count else { throw failure("unexpected data after the document") }
            return value
        }

        func failure(_ reason: String) -> ParseError {
            ParseError(offset: position, reason: reason)
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard position < bytes.count else { throw failure("unexpected end of data") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                throw failure("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard bytes.count - position >= count else { throw failure("unexpected end of data") }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for index in 0..<count where bytes[position + index] != expected[index] {
                throw failure("unexpected character")
            }
            position += count
        }

        mutating func object(depth: Int) throws -> JSONValue {
            guard depth <= Self.maxDepth else { throw failure("nested too deeply") }
            position += 1  // {
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw failure("expected a member name")
                }
                let key = try string()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw failure("expected ':'")
                }
                position += 1
                skipWhitespace()
                members[key] = try value(depth: depth)
                skipWhitespace()
                guard position < bytes.count else { throw failure("unexpected end of data") }
                switch bytes[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default: throw failure("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws -> JSONValue {
            guard depth <= Self.maxDepth else { throw failure("nested too deeply") }
            position += 1  // [
            var items: [JSONValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                guard position < bytes.count else { throw failure("unexpected end of data") }
                switch bytes[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(items)
                default: throw failure("expected ',' or ']'")
                }
            }
        }

        /// A string token; `position` is on its opening quote.
        mutating func string() throws -> String {
            position += 1
            let start = position
            // Fast path: no escapes, the bytes are the string.
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = try validated(UnsafeBufferPointer(rebasing: bytes[start..<position]))
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw failure("a control character in a string") }
                position += 1
            }
            var buffer = Array(bytes[start..<position])
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return try buffer.withUnsafeBufferPointer { try validated($0) }
                case UInt8(ascii: "\\"):
                    position += 1
                    guard position < bytes.count else { throw failure("unexpected end of data") }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
                    case UInt8(ascii: "b"): buffer.append(0x08)
                    case UInt8(ascii: "f"): buffer.append(0x0C)
                    case UInt8(ascii: "n"): buffer.append(0x0A)
                    case UInt8(ascii: "r"): buffer.append(0x0D)
                    case UInt8(ascii: "t"): buffer.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            // A high surrogate must be followed by an escaped low one.
                            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                                bytes[position + 1] == UInt8(ascii: "u")
                            else { throw failure("an unpaired surrogate") }
                            position += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw failure("an unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            throw failure("an unpaired surrogate")
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw failure("an invalid \\u escape") }
                        UTF8.encode(unicode) { buffer.append($0) }
                    default:
                        throw failure("an invalid escape")
                    }
                default:
                    if byte < 0x20 { throw failure("a control character in a string") }
                    buffer.append(byte)
                    position += 1
                }
            }
            throw failure("an unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard bytes.count - position >= 4 else { throw failure("unexpected end of data") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("an invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws -> String {
            guard let text = String(validating: utf8, as: UTF8.self) else {
                throw failure("a string that is not UTF-8")
            }
            return text
        }

        /// A number token, checked against the JSON grammar.
        mutating func number() throws -> JSONValue {
            let start = position
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a number without digits") }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
            } else {
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            var integral = true
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                integral = false
                position += 1
                guard position < bytes.count, isDigit(bytes[position]) else {
                    throw failure("a number without fraction digits")
                }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                integral = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                guard position < bytes.count, isDigit(bytes[position]) else {
                    throw failure("a number without exponent digits")
                }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            let token = UnsafeBufferPointer(rebasing: bytes[start..<position])
            if integral, let value = Self.int64(token) { return .int(value) }
            // Only ASCII digits, sign, '.', 'e' got here: the token is a valid Double literal.
            let text = String(decoding: token, as: UTF8.self)
            guard let double = Double(text), double.isFinite else { throw failure("a number out of range") }
            // An integer token too big for Int64 stays a double (even -2^63 - 1, which rounds to
            // Int64.min), as JSONDecoder has it.
            if !integral, let exact = Int64(exactly: double) { return .int(exact) }
            return .double(double)
        }

        func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        /// An integer token as Int64, nil when it overflows.
        static func int64(_ token: UnsafeBufferPointer<UInt8>) -> Int64? {
            var index = 0
            let negative = token[0] == UInt8(ascii: "-")
            if negative { index = 1 }
            var value: Int64 = 0
            while index < token.count {
                let digit = Int64(token[index] - UInt8(ascii: "0"))
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                // Accumulate negatively so Int64.min is reachable.
                let (next, overflow2) = shifted.subtractingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                value = next
                index += 1
            }
            if negative { return value }
            return value == Int64.min ? nil : -value
        }
    }
}
