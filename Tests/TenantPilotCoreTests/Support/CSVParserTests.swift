import Testing

@testable import TenantPilotCore

/// RFC 4180: quoted fields hold commas, quotes (doubled) and line breaks; CRLF or LF ends a record.
@Suite struct CSVParserTests {
    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "name,note\r\n\"a, b\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x\r\nlast,\"\"\r\n"
        let records = try CSVParser.records(text)
        #expect(
            records.map(\.fields) == [["name", "note"], ["a, b", "say \"hi\""], ["multi\nline", "x"], ["last", ""]])
        // A record is named by the line it starts on: the one after the two-line field is line 5.
        #expect(records.map(\.line) == [1, 2, 3, 5])
    }

    @Test func aByteOrderMarkBlankLinesAndAMissingFinalLineBreakAreFine() throws {
        let records = try CSVParser.records("\u{FEFF}a,b\n\n1,2")
        #expect(records == [.init(line: 1, fields: ["a", "b"]), .init(line: 3, fields: ["1", "2"])])
    }

    @Test func emptyFieldsAreKept() throws {
        #expect(try CSVParser.records(",,\n").map(\.fields) == [["", "", ""]])
    }

    @Test(arguments: [
        ("a,b\n\"open,c\n", 2, "never closed"),
        ("a,b\nx\"y,z\n", 2, "a quote inside a field"),
        ("a,b\n\"x\"y,z\n", 2, "text after the closing quote"),
    ])
    func malformedInputIsNamedByLine(text: String, line: Int, message: String) {
        do {
            _ = try CSVParser.records(text)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}
