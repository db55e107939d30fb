import Foundation
import Testing

@testable import TenantPilotCore

/// The JSON reader and the canonical writer: the reader agrees with JSONDecoder (which it
/// replaced for speed), the writer's bytes never change (they are hashed).
@Suite struct JSONValueTests {
    /// What the reader replaced: `Decodable` through JSONDecoder.
    static func decoded(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        "null", "true", "false", "0", "-0", "1", "-1", "42", "1.0", "1.5", "-2.25", "1e3", "1E3", "2.5e-3",
        "123456789012345678", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "12345678901234567890", "0.1", "3.141592653589793",
        "1.7976931348623157e308", "5e-324", "-0.0", "100e-2",
        #""""#, #""plain""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u0000\u001F""#, #""\ud83d\ude00 é ✓""#,
        "[]", "{}", " [ 1 , [ 2 , { } ] ] ", #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
        #"{"value":[{"id":"1","n":-3.5e2}],"@odata.nextLink":"http://x/y?$skiptoken=2"}"#,
    ])
    func agreesWithJSONDecoder(text: String) throws {
        #expect(try JSONValue.parse(Data(text.utf8)) == Self.decoded(text))
    }

    @Test func integralNumbersAreIntsLikeJSONDecoderReadsThem() throws {
        #expect(try JSONValue.parse(Data("1.0".utf8)) == .int(1))
        #expect(try JSONValue.parse(Data("1e3".utf8)) == .int(1000))
        #expect(try JSONValue.parse(Data("1.5".utf8)) == .double(1.5))
        #expect(try JSONValue.parse(Data("9223372036854775808".utf8)) == .double(9_223_372_036_854_775_808))
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "[", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "01", "1.", ".5",
        "-", "1e", "1e+", "+1", "\"open", "\"bad \\x escape\"", "\"\\ud83d alone\"", "\"\\ude00\"", "\"\\u12\"",
        "\"tab\tinside\"", "[1] 2", "NaN", "Infinity", "1e400",
    ])
    func rejectsWhatIsNotJSON(text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8AndHostileNesting() {
        #expect(throws: (any Error).self) { try JSONValue.parse(Data([0x22, 0xC3, 0x28, 0x22])) }
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(String(repeating: "[", count: 100_000).utf8)) }
        #expect(throws: Never.self) {
            try JSONValue.parse(Data((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8))
        }
    }

    @Test func canonicalBytesAreStable() {
        let value = JSONValue.object([
            "b": .array([.string("x"), .null, .bool(true), .int(-7), .double(2.0), .double(0.5)]),
            "a": .string("quote\" back\\ nl\n cr\r tab\t bell\u{07} é 😀"),
            "é": .object([:]), "Z": .array([]),
        ])
        let expected =
            #"{"Z":[],"a":"quote\" back\\ nl\n cr\r tab\t bell\u0007 é 😀","b":["x",null,true,-7,2,0.5],"é":{}}"#
        #expect(String(decoding: value.canonicalData(), as: UTF8.self) == expected)
    }

    @Test func canonicalBytesParseBackToTheSameValue() throws {
        let text = #"{"value":[{"id":"a/b","n":1.25,"deep":{"x":[1,2,{"y":"\u0001"}]}}],"count":3}"#
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(try JSONValue.parse(value.canonicalData()) == value)
    }
}
