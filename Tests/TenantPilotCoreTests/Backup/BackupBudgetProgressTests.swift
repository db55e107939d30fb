import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// A backup that must wait for Graph's request budget says so in its progress, for the
/// progress line of an interactive run.
@Suite struct BackupBudgetProgressTests {
    final class ProgressLog: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [BackupProgress] = []
        var all: [BackupProgress] { lock.withLock { seen } }
        func record(_ progress: BackupProgress) { lock.withLock { seen.append(progress) } }
    }

    @Test func waitsForTheBudgetShowInTheProgress() async throws {
        let harness = try await BackupServiceTests.Harness()
        let spec = SimulatedTenantSpec(
            counts: ["settingsCatalogPolicy": 4], settingsPerPolicy: 1, assignmentsPerPolicy: 1)
        try await withSimulator(simulatorConfiguration(spec)) { simulator in
            // Three requests per 1.5 s: the listing and the four policies' settings need a second window.
            let limits = GraphRequestLimits(requests: 3, window: .milliseconds(1500))
            let service = BackupService(store: harness.store) { _ in
                makeClient(
                    simulator, options: GraphClientOptions(batchSize: 1, limits: limits),
                    pacer: GraphPacer(limits: limits))
            }
            let log = ProgressLog()
            let outcome = await service.backup(
                tenant: harness.tenant, types: harness.types(["settingsCatalogPolicy"]), scheduleId: nil, runId: nil,
                actor: "admin",
                at: Date(), progress: { log.record($0) })
            #expect(outcome.items == 4)
            let waits = log.all.compactMap(\.waitingForBudget)
            #expect(!waits.isEmpty, "\(log.all)")
            #expect(waits.allSatisfy { $0 >= .seconds(1) && $0 <= .milliseconds(1600) })
            #expect(log.all.last?.waitingForBudget == nil, "the last progress is past the wait")
            #expect(log.all.last?.typesDone == 1)
        }
    }
}
