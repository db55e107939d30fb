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

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowTheCommands(_ shell: String) throws {
        let script = try CLI().run(["--generate-completion-script", shell])
        #expect(script.status == 0, "\(script.stderr)")
        #expect(script.stdout.contains("dispatch"))
        #expect(script.stdout.contains("doctor"))
    }
}
