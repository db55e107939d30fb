import Foundation
import GraphSimulator
import Testing

/// The README's walkthrough, followed literally (issue 7): every fenced block tagged `sh` is
/// run by bash, in a fresh folder, with `tenantpilot` on PATH resolving to the built binary.
/// Every command must succeed, so the README cannot drift from the binary.
@Suite struct ReadmeTests {
    static var readmeURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
    }

    /// The text of every block opened by a line that is exactly ```` ```sh ````.
    static func shellBlocks(of markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```sh" {
                current = []
            } else if current != nil, trimmed == "```" {
                blocks.append((current ?? []).joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The commands of a block: continuation lines joined, comments and blank lines dropped.
    static func commands(of block: String) -> [String] {
        var commands: [String] = []
        var pending = ""
        for line in block.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty && (text.isEmpty || text.hasPrefix("#")) { continue }
            if text.hasSuffix("\\") {
                pending += text.dropLast() + " "
            } else {
                commands.append(pending + text)
                pending = ""
            }
        }
        return commands
    }

    @Test func theWalkthroughCoversTheEssentialCommands() throws {
        let readme = try String(contentsOf: Self.readmeURL, encoding: .utf8)
        let commands = Self.shellBlocks(of: readme).flatMap(Self.commands)
        for essential in [
            "tenantpilot tenants add", "tenantpilot schedules add", "tenantpilot schedules next",
            "tenantpilot dispatch",
            "tenantpilot runs list", "tenantpilot audit list", "tenantpilot doctor", "tenantpilot restore",
            "tenantpilot drift",
        ] {
            #expect(commands.contains { $0.hasPrefix(essential) }, "the README walkthrough lost `\(essential)`")
        }
        // The two commands: each is in the README, exists and is executable, and CI runs the tests' one.
        let root = Self.readmeURL.deletingLastPathComponent()
        for script in ["scripts/demo", "scripts/test"] {
            #expect(readme.contains("\n    \(script)    #"), "the README lost `\(script)`")
            #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(script).path), "\(script)")
        }
        let ci = try String(contentsOf: root.appendingPathComponent(".ci/run"), encoding: .utf8)
        #expect(ci.contains("scripts/test"))
    }

    @Test func everyWalkthroughCommandSucceeds() throws {
        let readme = try String(contentsOf: Self.readmeURL, encoding: .utf8)
        let blocks = Self.shellBlocks(of: readme)
        #expect(!blocks.isEmpty, "README.md has no ```sh block")
        let cli = CLI()
        // Each command is echoed before it runs; a failing one stops the script and is named.
        var script = "set -eo pipefail\ntrap 'echo \"README command failed (exit $?): $BASH_COMMAND\" >&2' ERR\n"
        for command in blocks.flatMap(Self.commands) {
            let quoted = "'" + command.replacingOccurrences(of: "'", with: "'\\''") + "'"
            script += "printf '$ %s\\n' \(quoted)\n\(command)\n"
        }
        let scriptURL = cli.folder.appendingPathComponent("readme.sh")
        try Data(script.utf8).write(to: scriptURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [scriptURL.path]
        var environment = cli.environment
        environment["PATH"] = CLI.productsFolder.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        process.currentDirectoryURL = cli.folder
        let output = cli.folder.appendingPathComponent("readme.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExitWithoutSpinning()
        try handle.close()
        let transcript = String(decoding: try Data(contentsOf: output), as: UTF8.self)

        #expect(process.terminationStatus == 0, "\(transcript)")
        #expect(!transcript.contains("README command failed"), "\(transcript)")
        // What the README says the walkthrough shows: no 02:00 on 29 March in Berlin (DST gap).
        #expect(
            transcript.contains("2026-03-28T01:00:00Z") && transcript.contains("2026-03-30T00:00:00Z"), "\(transcript)")
        #expect(
            !transcript.contains("2026-03-29T01:00:00Z") && !transcript.contains("2026-03-29T00:00:00Z"),
            "\(transcript)")
        #expect(transcript.contains("ok   store:"), "\(transcript)")
        // The restore part: a plan of creates, then only unchanged.
        #expect(transcript.contains("9 create, 0 update, 0 delete"), "\(transcript)")
        #expect(transcript.contains("0 create, 0 update, 0 delete"), "\(transcript)")
    }
}
