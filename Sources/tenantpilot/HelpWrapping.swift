/// ArgumentParser wraps every part of a help screen to the terminal's width except the usage
/// line, which lists every option on one line. This wraps that line too (continued lines
/// indented under the command, as ArgumentParser indents its own), so every help fits.
enum HelpWrapping {
    static func wrapUsage(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("USAGE: ") || line.hasPrefix("Usage: "), line.count > width else {
                return String(line)
            }
            var lines: [String] = []
            var current = ""
            for word in groups(line.split(separator: " ").map(String.init)) {
                if !current.isEmpty, current.count + 1 + word.count > width {
                    lines.append(current)
                    current = String(repeating: " ", count: 7) + word
                } else {
                    current += (current.isEmpty ? "" : " ") + word
                }
            }
            if !current.isEmpty { lines.append(current) }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Words that stay on one line: `[--now <instant>]`, `--name <name>`.
    private static func groups(_ words: [String]) -> [String] {
        var groups: [String] = []
        var depth = 0
        for word in words {
            if let last = groups.last, depth > 0 || word.hasPrefix("<") {
                groups[groups.count - 1] = last + " " + word
            } else {
                groups.append(word)
            }
            depth += word.filter { $0 == "[" }.count - word.filter { $0 == "]" }.count
        }
        return groups
    }
}
