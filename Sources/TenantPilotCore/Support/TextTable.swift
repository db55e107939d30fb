/// A plain, left-aligned text table for human output (columns separated by two spaces) that
/// fits a terminal of `width` columns: when the cells are too wide, the widest columns are
/// narrowed and their long cells cut with `…` (`--json` output is never cut).
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// The terminal width the table must fit.
    public var width: Int

    /// The width of the terminals the output is written for.
    public static let terminalWidth = 80

    public init(header: [String], rows: [[String]], width: Int = TextTable.terminalWidth) {
        self.header = header
        self.rows = rows
        self.width = width
    }

    public func render() -> String {
        // Cells hold names and Graph strings: their control characters are shown, not obeyed.
        let all = ([header] + rows).map { $0.map(PlainText.escaped) }
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        narrow(&widths)
        return all.map { row in
            row.enumerated().map { index, cell in
                let limit = index < widths.count ? widths[index] : cell.count
                let cut = cell.count > limit ? String(cell.prefix(max(1, limit - 1))) + "…" : cell
                return index == row.count - 1 ? cut : cut.padding(toLength: limit, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Takes a column at a time from the widest, down to its header's width (at least 6), until
    /// the table fits or nothing more can be taken. Columns of names and messages go first;
    /// columns of ids, counts and instants, which mean nothing cut, only when nothing else is left.
    private func narrow(_ widths: inout [Int]) {
        let separators = 2 * max(0, widths.count - 1)
        let floors = header.map { max(6, $0.count) }
        let rigid = widths.indices.map { column in
            rows.allSatisfy { row in
                column >= row.count || row[column].allSatisfy { $0.isNumber || "-:TZ.+".contains($0) }
            }
        }
        for narrowingRigid in [false, true] {
            while widths.reduce(0, +) + separators > width {
                guard
                    let widest = widths.indices.filter({ widths[$0] > floors[$0] && rigid[$0] == narrowingRigid })
                        .max(by: { widths[$0] < widths[$1] })
                else { break }
                widths[widest] -= 1
            }
        }
    }
}
