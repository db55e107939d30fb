import Foundation
import Testing

@testable import TenantPilotCore

/// Seeded property tests of the three parsers that read what a server or a user sends — the
/// JSON reader, `Retry-After` and ISO 8601 — over about a million generated inputs in all:
/// random bytes, mutations of valid documents, and valid values generated whole. None may trap;
/// what is accepted must mean what it says (round trips), and what is generated valid must be
/// accepted. The seed is fixed, so a failure repeats; `TENANTPILOT_FUZZ_SEED` tries another.
@Suite struct ParserFuzzTests {
    static let seed =
        ProcessInfo.processInfo.environment["TENANTPILOT_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x7E4A_4E75_11_2026

    // MARK: - JSON

    @Test func theJSONReaderNeverTrapsAndWhatItReadsRoundTrips() throws {
        var random = SplitMix64(seed: Self.seed)
        let seeds = JSONSeeds.documents.map { Array($0.utf8) }
        var accepted = 0
        for round in 0..<400_000 {
            let input: [UInt8]
            switch round % 4 {
            case 0: input = random.bytes(count: Int(random.next() % 24), alphabet: JSONSeeds.alphabet)
            case 1, 2:
                input = random.mutate(seeds[Int(random.next() % UInt64(seeds.count))], splices: JSONSeeds.splices)
            default:
                let value = random.jsonValue(depth: 0)
                let data = value.canonicalData()
                let parsed = try JSONValue.parse(data)
                #expect(parsed == value, "generated \(String(decoding: data, as: UTF8.self))")
                continue
            }
            guard let value = try? JSONValue.parse(Data(input)) else { continue }
            accepted += 1
            let canonical = value.canonicalData()
            let again = try JSONValue.parse(canonical)
            #expect(
                again.canonicalData() == canonical,
                "not stable: \(String(decoding: canonical, as: UTF8.self)) → \(String(decoding: again.canonicalData(), as: UTF8.self))"
            )
        }
        #expect(accepted > 1000, "the mutations must reach the parser's accepting paths too")
    }

    @Test func deeplyNestedOrHugeJSONIsRefusedWithoutATrap() {
        let deep = Data(String(repeating: "[", count: 100_000).utf8)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(deep) }
        let wide = Data(("[" + String(repeating: "1e999,", count: 10) + "1]").utf8)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(wide) }
        // A hundred thousand digits: beyond any Double, refused rather than read as infinity.
        let long = Data(("[" + String(repeating: "9", count: 100_000) + "]").utf8)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(long) }
    }

    // MARK: - Retry-After

    @Test func retryAfterIsAlwaysNilOrAUsableWait() {
        var random = SplitMix64(seed: Self.seed &+ 1)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let longest = RetryAfter.longest
        for round in 0..<300_000 {
            switch round % 3 {
            case 0:
                let text = String(
                    decoding: random.bytes(count: Int(random.next() % 40), alphabet: RetryAfterSeeds.alphabet),
                    as: UTF8.self)
                if let wait = RetryAfter.parse(text, now: now) {
                    #expect(wait > .zero && wait <= longest, "\(text.debugDescription) gave \(wait)")
                }
            case 1:
                let seconds = Int64(random.next() % 200_000)
                let padded = String(repeating: " ", count: Int(random.next() % 3)) + String(seconds)
                let wait = RetryAfter.parse(padded, now: now)
                if seconds == 0 {
                    #expect(wait == nil)
                } else {
                    #expect(wait == .seconds(min(seconds, 86_400)), "\(padded.debugDescription)")
                }
            default:
                let offset = TimeInterval(Int64(random.next() % 400_000) - 200_000)
                let date = now.addingTimeInterval(offset)
                let text = RetryAfter.httpDateString(date)
                #expect(
                    RetryAfter.httpDate(text) == Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)),
                    "\(text)")
                let wait = RetryAfter.parse(text, now: now)
                if offset >= 1 {
                    #expect(wait.map { $0 > .zero && $0 <= longest } == true, "\(text) → \(String(describing: wait))")
                } else {
                    #expect(wait == nil, "a date in the past is no wait: \(text)")
                }
                // Mutated dates: nil or a usable wait, never a trap.
                let mutated = String(
                    decoding: random.mutate(Array(text.utf8), splices: RetryAfterSeeds.splices), as: UTF8.self)
                if let wait = RetryAfter.parse(mutated, now: now) {
                    #expect(wait > .zero && wait <= longest, "\(mutated.debugDescription) gave \(wait)")
                }
            }
        }
    }

    // MARK: - ISO 8601

    @Test func iso8601IsStrictAndWhatItReadsRoundTrips() {
        var random = SplitMix64(seed: Self.seed &+ 2)
        let seeds = [
            "2026-03-29T01:30:00Z", "2026-03-29T01:30Z", "2026-02-28T23:59:59.999+02:00", "9999-12-31T23:59:59-1400",
        ].map {
            Array($0.utf8)
        }
        for round in 0..<300_000 {
            switch round % 3 {
            case 0:
                let text = String(
                    decoding: random.mutate(seeds[Int(random.next() % UInt64(seeds.count))], splices: ISOSeeds.splices),
                    as: UTF8.self)
                if let date = ISO8601.parse(text) {
                    #expect(ISO8601.parse(ISO8601.string(date)) == date, "\(text.debugDescription)")
                }
            case 1:
                let text = String(
                    decoding: random.bytes(count: Int(random.next() % 30), alphabet: ISOSeeds.alphabet), as: UTF8.self)
                if let date = ISO8601.parse(text) {
                    #expect(ISO8601.parse(ISO8601.string(date)) == date, "\(text.debugDescription)")
                }
            default:
                // Any whole second of years 0001–9999 is written and read back exactly.
                let seconds = Int64(random.next() % 315_537_897_599) - 62_135_596_800
                let date = Date(timeIntervalSince1970: TimeInterval(seconds))
                let text = ISO8601.string(date)
                #expect(ISO8601.parse(text) == date, "\(text)")
            }
        }
    }
}

// MARK: - Generators

/// SplitMix64: small, fast, and the same sequence on every platform.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(count: Int, alphabet: [UInt8]) -> [UInt8] {
        (0..<count).map { _ in
            next() % 8 == 0 ? UInt8(truncatingIfNeeded: next()) : alphabet[Int(next() % UInt64(alphabet.count))]
        }
    }

    /// A few edits of `input`: bytes flipped, dropped, duplicated, or a splice of a tricky token.
    mutating func mutate(_ input: [UInt8], splices: [String]) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + Int(next() % 3)) {
            let position = bytes.isEmpty ? 0 : Int(next() % UInt64(bytes.count + 1))
            switch next() % 5 {
            case 0 where position < bytes.count: bytes[position] = UInt8(truncatingIfNeeded: next())
            case 1 where position < bytes.count: bytes.remove(at: position)
            case 2 where position < bytes.count: bytes.insert(bytes[position], at: position)
            case 3: bytes = Array(bytes.prefix(position))
            default:
                bytes.insert(
                    contentsOf: Array(splices[Int(next() % UInt64(splices.count))].utf8), at: min(position, bytes.count)
                )
            }
        }
        return bytes
    }

    mutating func jsonValue(depth: Int) -> JSONValue {
        switch next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: next()) >> Int64(next() % 64))
        case 3:
            let value = Double(bitPattern: next())
            return value.isFinite && value != value.rounded() ? .double(value) : .int(Int64(next() % 1000))
        case 4:
            let scalars = (0..<Int(next() % 8)).compactMap { _ in Unicode.Scalar(UInt32(next() % 0x11_0000)) }
            return .string(String(String.UnicodeScalarView(scalars)))
        case 5: return .array((0..<Int(next() % 4)).map { _ in jsonValue(depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int(next() % 4) { object["k\(next() % 100)"] = jsonValue(depth: depth + 1) }
            return .object(object)
        }
    }
}

enum JSONSeeds {
    static let documents = [
        #"{"value":[{"id":"a1","displayName":"Caf\u00e9 \ud83d\ude00","version":3,"ratio":0.25,"on":true,"x":null}],"@odata.nextLink":null}"#,
        #"{"responses":[{"id":"1","status":429,"headers":{"Retry-After":"7"},"body":{"error":{"code":"TooManyRequests"}}}]}"#,
        #"[1,-0,1e3,1.5E-7,9223372036854775807,-9223372036854775808,18446744073709551616,"\"\\\/\b\f\n\r\t"]"#,
        #"{"access_token":"x","expires_in":"3599","token_type":"Bearer"}"#, "  \u{FEFF}[]  ", "true", "\"\"",
    ]
    static let alphabet =
        Array(#"{}[]:,"\0123456789-+.eEtrufalsn \u"#.utf8) + [0x0A, 0x09, 0xEF, 0xBB, 0xBF, 0xC3, 0xA9]
    static let splices = [
        "1e400", "-", "\\ud800", "\\udc00", "\\u00", "\"", "\\", "[[[[[[", "]]]", "{\"a\":", "nul", "0x10", "01", "1.",
        ".5", "\u{0}",
        "\u{7F}", "\u{FEFF}", "1e-400", "-9223372036854775809", "9223372036854775808", ",]", ",}",
    ]
}

enum RetryAfterSeeds {
    static let alphabet = Array("0123456789 -+.eE,:GMTSunMonNovDecday".utf8) + [0x09, 0x00]
    static let splices = [
        "99999999999999999999", "-", "1e30", ":", "60", "99", "Feb 29", "00", " ", "GMT", "\u{0}", "Foo,",
    ]
}

enum ISOSeeds {
    static let alphabet = Array("0123456789-:TZtz+.,".utf8) + [0x20]
    static let splices = [
        "99", "00", "-", "+", ":", "T", "Z", "60", "24:00", "02-29", "13", "32", ".", "9999999999", " ",
    ]
}
