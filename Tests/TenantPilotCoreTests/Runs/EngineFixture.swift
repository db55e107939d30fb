import Foundation
import GRDB

@testable import TenantPilotCore

/// A store with one tenant, and a backup step whose outcome a test chooses.
struct EngineFixture {
    let folder = TemporaryDirectory()
    let store: Store
    let registry: PolicyTypeRegistry
    let tenant: Tenant

    init() async throws {
        store = try await Store.open(path: folder.file("tp.sqlite"))
        registry = try PolicyTypeRegistry.load(environment: [:])
        let request = try NewTenant(
            name: "contoso", tenantId: "11111111-2222-3333-4444-555555555555", clientId: "app", secretEnv: "S",
            secretFile: nil, graphURL: nil, authorityURL: nil)
        tenant = try await TenantService(store: store).add(
            request, actor: "admin", at: Self.instant("2026-01-01T00:00:00Z"))
    }

    static func instant(_ text: String) -> Date {
        guard let date = ISO8601.parse(text) else { fatalError("bad instant \(text)") }
        return date
    }

    @discardableResult
    func addSchedule(
        name: String = "nightly", zone: String = "UTC", at times: [String] = [], cron: String? = nil,
        types: [String] = ["deviceConfiguration"], created: String = "2026-01-01T00:00:00Z"
    ) async throws -> BackupSchedule {
        let draft = try ScheduleDraft(
            tenantName: "contoso", name: name, timezone: zone, at: times, days: nil, cron: cron, types: types,
            keepLast: nil,
            enabled: true, registry: registry, now: Self.instant(created))
        return try await ScheduleService(store: store).add(draft, actor: "admin", at: Self.instant(created)).schedule
    }

    func executor(_ backup: some BackupPerforming = FakeBackup(), clock: Clock = .fixed(Date(timeIntervalSince1970: 0)))
        -> RunExecutor
    {
        RunExecutor(store: store, registry: registry, clock: clock, backup: backup)
    }

    func runs() throws -> [BackupRun] {
        try store.writer.read { db in try BackupRun.order(Column("id")).fetchAll(db) }
    }

    func schedule(_ id: Int64) throws -> BackupSchedule? {
        try store.writer.read { db in try BackupSchedule.fetchOne(db, key: id) }
    }

    func count(_ table: String) throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    func notifications() throws -> [UserNotification] {
        try store.writer.read { db in try UserNotification.fetchAll(db) }
    }

    func sql(_ body: (Database) throws -> Void) throws {
        try store.writer.write(body)
    }

    func auditActions() throws -> [String] {
        try store.writer.read { db in try String.fetchAll(db, sql: "SELECT action FROM audit_logs ORDER BY id") }
    }
}

/// A backup step that returns what the test asks, and counts calls.
final class FakeBackup: BackupPerforming, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    let make: @Sendable ([PolicyType]) -> BackupOutcome

    init(
        _ make: @escaping @Sendable ([PolicyType]) -> BackupOutcome = { types in
            BackupOutcome(policies: types.count, items: types.count)
        }
    ) {
        self.make = make
    }

    var callCount: Int { lock.withLock { calls } }

    func capture(
        tenant: Tenant, types: [PolicyType], scheduleId: Int64?, runId: Int64?, actor: String, at instant: Date,
        progress: (@Sendable (BackupProgress) -> Void)?
    ) async -> BackupOutcome {
        lock.withLock { calls += 1 }
        return make(types)
    }
}
