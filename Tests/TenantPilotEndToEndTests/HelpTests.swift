import Foundation
import Testing

/// Help a newcomer can act on (issue 7): every command's `--help` shows an example, and the
/// shell completions that `scripts/install` installs come out of the binary.
@Suite struct HelpTests {
    /// Every leaf command, from the binary's own description of its command tree, so a
    /// command added later is covered without editing this test.
    static func leafCommands() throws -> [[String]] {
        let dump = try CLI().run(["--experimental-dump-help"])
        guard dump.status == 0,
            let document = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any],
            let root = document["command"] as? [String: Any]
        else { return [] }
        var leaves: [[String]] = []
        func walk(_ command: [String: Any], path: [String]) {
            let subcommands = (command["subcommands"] as? [[String: Any]] ?? []).filter {
                $0["commandName"] as? String != "help"
            }
            if subcommands.isEmpty, !path.isEmpty { leaves.append(path) }
            for subcommand in subcommands {
                walk(subcommand, path: path + [subcommand["commandName"] as? String ?? "?"])
            }
        }
        walk(root, path: [])
        return leaves
    }

    @Test func theCommandTreeIsFound() throws {
        let leaves = try Self.leafCommands()
        #expect(leaves.contains(["dispatch"]))
        #expect(leaves.contains(["schedules", "next"]))
        #expect(leaves.contains(["doctor"]))
    }

    @Test(arguments: try leafCommands())
    func everyCommandsHelpHasAnExample(_ command: [String]) throws {
        let help = try CLI().run(command + ["--help"])
        #expect(help.status == 0, "\(command.joined(separator: " ")) --help: \(help.stderr)")
        #expect(
            help.stdout.contains("Example"), "`tenantpilot \(command.joined(separator: " ")) --help` shows no example")
    }

    /// On an 80-column terminal every line of every help fits; and the help's own text (its
    /// discussion and examples, read on a wide terminal where nothing is wrapped) fits too, so
    /// an example pasted from it is never a wrapped half.
    @Test(arguments: try leafCommands() + [[]])
    func everyCommandsHelpFitsEightyColumns(_ command: [String]) throws {
        let help = try CLI().run(command + ["--help"], environment: ["COLUMNS": "80"])
        let long = help.stdout.split(separator: "\n").filter { $0.count > 80 }
        #expect(long.isEmpty, "`\(command.joined(separator: " ")) --help` is wider than 80 columns: \(long)")
        let wide = try CLI().run(command + ["--help"], environment: ["COLUMNS": "400"]).stdout
        // Prose is wrapped to the terminal; indented lines (examples, a crontab line) must fit as written.
        for line in wide.split(separator: "\n").prefix(while: { !$0.hasPrefix("USAGE:") }) where line.hasPrefix("  ") {
            #expect(line.count <= 80, "an example line wider than 80 columns: \(line)")
        }
    }

    /// The example lines of a command's help (a trailing `\` joins the next line), as shown on a
    /// terminal too wide to wrap anything.
    static func examples(of command: [String]) throws -> [String] {
        let help = try CLI().run(command + ["--help"], environment: ["COLUMNS": "400"]).stdout
        var examples: [String] = []
        var pending: String?
        for raw in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let head = pending {
                pending = nil
                let joined = head + " " + line
                if joined.hasSuffix("\\") { pending = String(joined.dropLast()) } else { examples.append(joined) }
                continue
            }
            guard let start = line.range(of: "tenantpilot "), line.hasPrefix("tenantpilot ") || line.hasPrefix("* ")
            else { continue }
            let example = String(line[start.lowerBound...])
            if example.hasSuffix("\\") { pending = String(example.dropLast()) } else { examples.append(example) }
        }
        return examples.map { $0.replacingOccurrences(of: "  ", with: " ") }
    }

    /// `tenantpilot a "b c" 'd'` as the shell splits it, up to a pipe or a redirection.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var started = false
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            switch character {
            case "\"", "'":
                quote = character
                started = true
            case " ":
                if started || !current.isEmpty { words.append(current) }
                current = ""
                started = false
            case "|", ">":
                if started || !current.isEmpty { words.append(current) }
                return words
            default:
                current.append(character)
            }
        }
        if started || !current.isEmpty { words.append(current) }
        return words
    }

    /// Every example still parses: run against a folder with no store, it may fail for want of
    /// one (exit 1) or succeed, but never be refused as usage or bad input (exit 2) — except for
    /// naming a file of the reader's machine (`/etc/tenantpilot/fabrikam.crt`) that is not here.
    @Test(arguments: try leafCommands())
    func everyExampleInHelpStillParses(_ command: [String]) throws {
        let examples = try Self.examples(of: command)
        #expect(!examples.isEmpty, "\(command) has no example")
        for example in examples {
            let words = Self.words(example)
            guard words.first == "tenantpilot" else { continue }
            let cli = CLI()
            let result = try cli.run(Array(words.dropFirst()), environment: ["COLUMNS": "80"])
            let missingFile = result.status == 2 && result.stderr.contains("No such file or directory")
            #expect(
                (result.status != 2 || missingFile) && result.status != 64,
                "`\(example)` exits \(result.status): \(result.stderr)")
        }
    }

    @Test func versionNamesTheSQLiteAndTimeZoneDataVersions() throws {
        let version = try CLI().run(["--version"])
        #expect(version.status == 0)
        let lines = version.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(version.stdout)")
        #expect(lines.first?.hasPrefix("tenantpilot ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("SQLite 3.") == true, "\(version.stdout)")
        #expect(lines.last?.hasPrefix("time-zone data 20") == true, "\(version.stdout)")
    }

    @Test(arguments: [(["dispach"], "tenantpilot dispatch"), (["schedules", "lsit"], "tenantpilot schedules list")])
    func aMistypedSubcommandIsAnsweredWithTheNearestOne(_ arguments: [String], _ suggestion: String) throws {
        let result = try CLI().run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("did you mean `\(suggestion)`?"), "\(result.stderr)")
    }

    @Test func completionsOfferTheStoresSchedulesAndNeverCreateIt() throws {
        let cli = CLI()
        let none = try cli.run([
            "---completion", "runs", "list", "--", "--schedule", "4", "0", "tenantpilot", "runs", "list", "--schedule",
            "",
        ])
        #expect(
            none.status == 0 && none.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "a completion never creates the store")
        try cli.createStore()
        #expect(
            try cli.run([
                "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
                "--types", "deviceConfiguration",
            ]).status == 0)
        let schedules = try cli.run([
            "---completion", "runs", "list", "--", "--schedule", "4", "1", "tenantpilot", "runs", "list", "--schedule",
            "c",
        ])
        #expect(
            schedules.stdout.split(separator: "\n") == ["contoso/nightly"], "\(schedules.stdout)\(schedules.stderr)")
        let types = try cli.run([
            "---completion", "schedules", "add", "--", "--types", "4", "25", "tenantpilot", "schedules", "add",
            "--types", "deviceConfiguration,roleSc",
        ])
        #expect(types.stdout.split(separator: "\n") == ["deviceConfiguration,roleScopeTag"], "\(types.stdout)")
        let zones = try cli.run([
            "---completion", "schedules", "add", "--", "--timezone", "4", "10", "tenantpilot", "schedules", "add",
            "--timezone", "Europe/Ber",
        ])
        #expect(zones.stdout.split(separator: "\n").contains("Europe/Berlin"), "\(zones.stdout)")
        let script = try cli.run(["--generate-completion-script", "bash"]).stdout
        #expect(script.contains("'pending'") && script.contains("'skipped'"), "statuses are offered")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowTheCommands(_ shell: String) throws {
        let script = try CLI().run(["--generate-completion-script", shell])
        #expect(script.status == 0, "\(script.stderr)")
        #expect(script.stdout.contains("dispatch"))
        #expect(script.stdout.contains("doctor"))
    }
}
