import Foundation
import GRDB
import Testing

@testable import TenantPilotCore

/// A real store in a temp folder of its own, removed when the test is done, with helpers that
/// insert the rows other services own (tenants, schedules) directly.
final class BackupTestStore: Sendable {
    let folder: URL
    let store: Store
    var path: String { store.path }
    var backups: BackupSetStore { BackupSetStore(store: store) }

    init() async throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenantpilot-tests-\(UUID().uuidString)", isDirectory: true)
        store = try await Store.open(path: folder.appendingPathComponent("tenantpilot.sqlite").path)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    func addTenant(_ name: String = "contoso") throws -> Int64 {
        try store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES (?, '00000000-0000-0000-0000-000000000001', 'client', 'SECRET', 'https://graph.microsoft.com',
                            'https://login.microsoftonline.com', '2026-01-01T00:00:00Z')
                    """,
                arguments: [name])
            return db.lastInsertedRowID
        }
    }

    func addSchedule(tenantId: Int64, name: String = "nightly", keepLast: Int = 30) throws -> Int64 {
        try store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup_schedules (tenant_id, name, timezone, timetable, policy_types, keep_last, created_at, updated_at)
                    VALUES (?, ?, 'Europe/Berlin', '{"at":["02:00"]}', '["deviceConfiguration"]', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                    """,
                arguments: [tenantId, name, keepLast])
            return db.lastInsertedRowID
        }
    }

    func removeSchedule(_ id: Int64) throws {
        try store.writer.write { db in
            try db.execute(
                sql: "UPDATE backup_schedules SET removed_at = '2026-02-01T00:00:00Z' WHERE id = ?", arguments: [id])
        }
    }

    /// Writes a whole set through `BackupSetStore` and returns its id.
    @discardableResult
    func makeSet(
        tenantId: Int64, scheduleId: Int64?, items: [NewBackupItem], status: BackupSetOutcome? = .complete,
        day: Int = 0, runId: Int64? = nil
    ) async throws -> Int64 {
        let at = Self.t0.addingTimeInterval(Double(day) * 86_400)
        let id = try await backups.beginSet(tenantId: tenantId, scheduleId: scheduleId, runId: runId, at: at)
        try await backups.addItems(setId: id, items: items)
        if let status {
            try await backups.completeSet(setId: id, status: status, at: at.addingTimeInterval(60))
        }
        return id
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    func checkpoint() throws {
        try store.writer.writeWithoutTransaction { db in
            _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Bytes of the database as SQLite sees it: page_count × page_size.
    func databaseBytes() throws -> Int {
        try store.writer.read { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return pages * size
        }
    }
}

/// Intune-like policy payloads of realistic size (2–4 KB of canonical JSON), deterministic.
enum SamplePolicies {
    static func item(_ index: Int, type: String = "deviceConfiguration", revision: Int = 0) -> NewBackupItem {
        let id = String(format: "%08x-0000-4000-8000-%012x", index, index * 7919)
        return NewBackupItem(
            typeKey: type, graphId: id, displayName: "Policy \(index)",
            payload: payload(index, id: id, revision: revision))
    }

    static func items(_ count: Int, type: String = "deviceConfiguration", revision: Int = 0) -> [NewBackupItem] {
        (0..<count).map { item($0, type: type, revision: revision) }
    }

    static func payload(_ index: Int, id: String, revision: Int) -> JSONValue {
        let settingCount = 12 + index % 15
        let settings: [JSONValue] = (0..<settingCount).map { number in
            .object([
                "id": .string("\(number)"),
                "settingInstance": .object([
                    "@odata.type": .string("#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance"),
                    "settingDefinitionId": .string("device_vendor_msft_policy_config_setting_\(index)_\(number)"),
                    "choiceSettingValue": .object([
                        "value": .string(
                            "device_vendor_msft_policy_config_setting_\(number)_\(revision == 0 ? 1 : revision)"),
                        "children": .array([]),
                    ]),
                ]),
            ])
        }
        return .object([
            "@odata.type": .string("#microsoft.graph.windows10GeneralConfiguration"),
            "id": .string(id),
            "displayName": .string("Policy \(index)"),
            "description": .string("Baseline configuration \(index) for managed Windows devices"),
            "createdDateTime": .string("2025-11-03T09:14:22Z"),
            "lastModifiedDateTime": .string("2026-01-12T16:40:05Z"),
            "version": .int(Int64(revision + 1)),
            "roleScopeTagIds": .array([.string("0")]),
            "settings": .array(settings),
            "assignments": .array([
                .object(["id": .string("\(id)_group"), "target": .object(["groupId": .string(id)])])
            ]),
        ])
    }
}
