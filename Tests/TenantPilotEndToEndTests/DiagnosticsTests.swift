import Foundation
import Testing

/// The diagnostic stream: silent by default, lines on stderr with `--verbose` or
/// `--log-level`, never on stdout, never a secret.
@Suite struct DiagnosticsTests {
    @Test func aDispatchIsSilentByDefaultAndExplainsItselfOnStderrWhenAsked() throws {
        let simulator = try SimulatorProcess(policiesPerType: 1)
        let cli = CLI()
        cli.environment["SIM_SECRET"] = SimulatorProcess.clientSecret
        #expect(try simulator.addTenant(to: cli).status == 0)
        let added = try cli.run([
            "schedules", "add", "--tenant", "contoso", "--name", "nightly", "--timezone", "UTC", "--at", "02:00",
            "--types", "deviceConfiguration", "--now", "2026-06-01T00:00:00Z",
        ])
        #expect(added.status == 0, "\(added.stderr)")

        let quiet = try cli.run(["dispatch", "--now", "2026-06-01T01:00:00Z"])
        #expect(quiet.status == 0)
        // Only the note that the clock was set by --now; no diagnostic line.
        #expect(quiet.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("note: the clock") }, "\(quiet.stderr)")

        let verbose = try cli.run(["dispatch", "--now", "2026-06-01T02:00:10Z", "--json", "--verbose"])
        #expect(verbose.status == 0, "\(verbose.stderr)")
        #expect((try verbose.json()["runs"] as? [[String: Any]])?.count == 1, "stdout is still one JSON document")
        let lines = verbose.stderr.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("tenantpilot[debug] schedules due") && $0.contains("count=1") })
        #expect(lines.contains { $0.hasPrefix("tenantpilot[debug] run finished") && $0.contains("status=success") })
        #expect(!verbose.stderr.contains(SimulatorProcess.clientSecret))

        let warningsOnly = try cli.run(["dispatch", "--now", "2026-06-01T02:01:00Z", "--log-level", "warning"])
        #expect(!warningsOnly.stderr.contains("tenantpilot["), "\(warningsOnly.stderr)")
        let bad = try cli.run(["dispatch", "--log-level", "loud"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("loud"))
    }
}
