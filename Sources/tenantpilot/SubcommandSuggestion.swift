import ArgumentParser
import TenantPilotCore

/// "Did you mean …" for a mistyped subcommand (`tenantpilot dispach`, `schedules lsit`): the
/// arguments are walked down the command tree, and the first word that names no subcommand of
/// a command that has some is answered with the nearest one.
enum SubcommandSuggestion {
    /// `message` is ArgumentParser's: a hint is only given for the word it complains about.
    static func hint(for arguments: [String], message: String) -> String? {
        var command: any ParsableCommand.Type = TenantPilot.self
        var path = ["tenantpilot"]
        for word in arguments where !word.hasPrefix("-") {
            let subcommands = command.configuration.subcommands
            if subcommands.isEmpty { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? "" }
            if let index = names.firstIndex(of: word) {
                command = subcommands[index]
                path.append(word)
                continue
            }
            guard message.contains("'\(word)'") else { return nil }
            guard let nearest = Suggestion.nearest(to: word, among: names + ["help"]) else {
                return
                    "\(path.joined(separator: " ")) has no command \"\(word)\"; see `\(path.joined(separator: " ")) --help`"
            }
            return "did you mean `\((path + [nearest]).joined(separator: " "))`?"
        }
        return nil
    }
}
