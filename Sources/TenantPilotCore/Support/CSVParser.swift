/// Comma-separated values as RFC 4180 writes them, and as spreadsheets export them: fields
/// separated by commas, records by CRLF or LF; a field in double quotes may hold commas, line
/// breaks and quotes (written twice, `""`); an unquoted field holds none of them. A leading
/// UTF-8 byte-order mark and blank lines are skipped. Each record carries the line it starts
/// on, so that a bad value can be named by line.
public enum CSVParser {
    /// One record and the (1-based) line of the file it starts on.
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// A file that is not well-formed CSV, and where.
    public struct Failure: Error, Sendable, Equatable {
        public let line: Int
        public let message: String
    }

    public static func records(_ text: String) throws(Failure) -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var quoted = false
        var quoteLine = 1
        /// The field was quoted and its closing quote met: only a separator may follow.
        var closed = false
        /// Something (a field, a separator) was read in the current record.
        var started = false

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            closed = false
        }
        func endRecord() {
            endField()
            // A blank line is no record.
            if started { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            started = false
        }

        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if quoted {
                switch scalar {
                case "\"":
                    if index < scalars.endIndex, scalars[index] == "\"" {
                        field.append("\"")
                        index = scalars.index(after: index)
                    } else {
                        quoted = false
                        closed = true
                    }
                case "\n":
                    line += 1
                    field.append(scalar)
                default:
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                started = true
                endField()
            case "\r" where index < scalars.endIndex && scalars[index] == "\n":
                continue
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty, !closed else {
                    throw Failure(
                        line: line,
                        message: "a quote inside a field that does not start with one; quote the whole field "
                            + "and write the quote twice (\"\")")
                }
                quoted = true
                quoteLine = line
                started = true
            default:
                guard !closed else {
                    throw Failure(
                        line: line,
                        message: "text after the closing quote of a field; a comma or a line end must follow")
                }
                field.append(scalar)
                started = true
            }
        }
        if quoted {
            throw Failure(line: quoteLine, message: "a quoted field is never closed (a \" is missing)")
        }
        endRecord()
        return records
    }
}
