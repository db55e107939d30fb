import Foundation
import GRDB
import GraphSimulator
import Testing

@testable import TenantPilotCore

#if canImport(Glibc)
    import Glibc
#endif

/// Crash safety of retention with real processes: the built `tenantpilot` binary applies
/// retention to a big store and is killed with SIGKILL at spread-out moments of its work.
/// Whatever the moment, the store must hold either the old state or the new one per schedule,
/// with nothing dangling. The kill delay only chooses *when* to crash; no outcome depends on it.
@Suite(.serialized) struct RetentionCrashTests {
    static let setsPerSchedule = 8
    static let itemsPerSet = 1_000
    static let sharedItemsPerSet = 300
    /// (keep_last) of the two schedules.
    static let keepLast = [2, 3]

    @Test func aKilledRetentionLeavesTheOldOrTheNewStateAndNothingDangling() async throws {
        let binary = try #require(Self.tenantpilotBinary(), "build the tenantpilot product first (swift build)")
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tenantpilot-crash-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let template = folder.appendingPathComponent("template.sqlite").path
        try await Self.buildBigStore(at: template)

        // A complete run first: how long the work takes, and what the new state is.
        let full = try Self.copy(template, to: folder, name: "full")
        let started = ContinuousClock.now
        let completed = try Self.launch(binary, db: full)
        completed.waitUntilExitWithoutSpinning()
        let duration = ContinuousClock.now - started
        #expect(completed.terminationStatus == 0)
        let finalState = try await Self.checkConsistent(full)
        #expect(finalState.setsPerSchedule == Self.keepLast)
        #expect(finalState.auditEntries == 2)

        var killed = 0
        var outcomes: [[Int]] = []
        let attempts = 6
        for attempt in 1...attempts {
            let db = try Self.copy(template, to: folder, name: "attempt\(attempt)")
            let process = try Self.launch(binary, db: db)
            let delay = duration * (Double(attempt) / Double(attempts + 1))
            usleep(
                UInt32(max(1, delay.components.attoseconds / 1_000_000_000_000 + delay.components.seconds * 1_000_000)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExitWithoutSpinning()
            if process.terminationReason == .uncaughtSignal { killed += 1 }
            let state = try await Self.checkConsistent(db)
            outcomes.append(state.setsPerSchedule)
            // Per schedule: all of its old sets, or exactly keep_last.
            for (index, count) in state.setsPerSchedule.enumerated() {
                #expect(count == Self.setsPerSchedule || count == Self.keepLast[index], "attempt \(attempt): \(state)")
            }
            // The audit entry lands with the deletion or not at all.
            let applied = zip(state.setsPerSchedule, Self.keepLast).filter { $0 == $1 }.count
            #expect(state.auditEntries == applied, "attempt \(attempt): \(state)")
        }
        #expect(killed > 0, "no attempt was killed before it finished (\(duration)); outcomes \(outcomes)")
    }

    // MARK: - Helpers

    struct State: CustomStringConvertible {
        var setsPerSchedule: [Int]
        var auditEntries: Int
        var description: String { "sets per schedule \(setsPerSchedule), audit entries \(auditEntries)" }
    }

    /// Opens the store as the next command would (recovering the WAL) and checks every invariant
    /// a crash could break.
    static func checkConsistent(_ path: String) async throws -> State {
        let store = try await Store.open(path: path)
        return try store.writer.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            #expect(integrity == ["ok"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            // Items, versions, keys and payloads: nothing points at a missing row (also checked by
            // foreign_key_check) and nothing is left that no set references.
            let dangling =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM backup_items i
                        LEFT JOIN backup_item_versions v ON v.id = i.version_id AND v.key_id = i.key_id
                        LEFT JOIN backup_item_keys k ON k.id = v.key_id
                        LEFT JOIN backup_payloads p ON p.id = v.payload_id
                        WHERE v.id IS NULL OR k.id IS NULL OR p.id IS NULL
                        """) ?? -1
            #expect(dangling == 0)
            let itemsWithoutSet =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM backup_items i WHERE NOT EXISTS (SELECT 1 FROM backup_sets s WHERE s.id = i.backup_set_id)"
                )
                ?? -1
            #expect(itemsWithoutSet == 0)
            let wrongCounts =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM backup_sets s WHERE item_count <> (SELECT count(*) FROM backup_items WHERE backup_set_id = s.id)"
                )
                ?? -1
            #expect(wrongCounts == 0)
            let orphans =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM backup_item_versions v
                                WHERE NOT EXISTS (SELECT 1 FROM backup_items i WHERE i.version_id = v.id))
                             + (SELECT count(*) FROM backup_payloads p
                                WHERE NOT EXISTS (SELECT 1 FROM backup_item_versions v WHERE v.payload_id = p.id))
                             + (SELECT count(*) FROM backup_item_keys k
                                WHERE NOT EXISTS (SELECT 1 FROM backup_item_versions v WHERE v.key_id = k.id))
                        """) ?? -1
            #expect(orphans == 0)
            let perSchedule = try [1, 2].map { schedule in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM backup_sets WHERE backup_schedule_id = ?", arguments: [schedule])
                    ?? -1
            }
            let audit =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM audit_logs WHERE action = ?",
                    arguments: [RetentionService.auditAction]) ?? -1
            return State(setsPerSchedule: perSchedule, auditEntries: audit)
        }
    }

    /// Two schedules of 8 sets × 1,000 items; 30 % of each set's payloads shared by every
    /// set of its schedule, the rest its own (so retention has payloads to remove).
    static func buildBigStore(at path: String) async throws {
        let store = try await Store.open(path: path)
        try store.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tenants (id, name, tenant_guid, client_id, secret_env, graph_url, authority_url, created_at)
                    VALUES (1, 'contoso', 'g', 'c', 'SECRET', 'https://graph.microsoft.com', 'https://login.microsoftonline.com',
                            '2026-01-01T00:00:00Z');
                    """)
            for (index, keep) in keepLast.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO backup_schedules (id, tenant_id, name, timezone, timetable, policy_types, keep_last,
                                                      created_at, updated_at)
                        VALUES (?, 1, ?, 'UTC', '{}', '["deviceConfiguration"]', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                        """,
                    arguments: [index + 1, "schedule\(index + 1)", keep])
            }
            // One key per policy; per schedule one version of each shared policy, and per set
            // one version of each of its own.
            try db.execute(
                sql: """
                    WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
                    INSERT INTO backup_item_keys (id, policy_type, graph_id)
                    SELECT i, 'deviceConfiguration', printf('%08d-graph', i) FROM k
                    """,
                arguments: [itemsPerSet])
            try db.execute(
                sql: """
                    WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
                    INSERT INTO backup_payloads (sha256, size, content)
                    SELECT printf('shared-%d-%06d', s.value, i), 800, randomblob(800) FROM k, json_each('[1,2]') s
                    """,
                arguments: [sharedItemsPerSet])
            try db.execute(
                sql: """
                    INSERT INTO backup_item_versions (key_id, payload_id, display_name)
                    SELECT CAST(substr(sha256, 10) AS INTEGER), id, printf('Policy %d', CAST(substr(sha256, 10) AS INTEGER))
                    FROM backup_payloads
                    """)
            for schedule in 1...2 {
                for set in 1...setsPerSchedule {
                    try db.execute(
                        sql: """
                            INSERT INTO backup_sets (tenant_id, backup_schedule_id, status, item_count, created_at, completed_at)
                            VALUES (1, ?, 'complete', ?, printf('2026-01-%02dT02:00:00Z', ?), printf('2026-01-%02dT02:01:00Z', ?))
                            """,
                        arguments: [schedule, itemsPerSet, set, set])
                    let setId = db.lastInsertedRowID
                    try db.execute(
                        sql: """
                            WITH RECURSIVE k(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM k WHERE i < ?2)
                            INSERT INTO backup_payloads (sha256, size, content)
                            SELECT printf('own-%d-%06d', ?3, i), 800, randomblob(800) FROM k
                            """,
                        arguments: [sharedItemsPerSet + 1, itemsPerSet, setId])
                    try db.execute(
                        sql: """
                            INSERT INTO backup_item_versions (key_id, payload_id, display_name)
                            SELECT CAST(substr(sha256, length(?1) + 1) AS INTEGER), id,
                                   printf('Policy %d', CAST(substr(sha256, length(?1) + 1) AS INTEGER))
                            FROM backup_payloads WHERE sha256 LIKE ?1 || '%'
                            """,
                        arguments: ["own-\(setId)-"])
                    try db.execute(
                        sql: """
                            INSERT INTO backup_items (backup_set_id, key_id, version_id)
                            SELECT ?1, v.key_id, v.id FROM backup_item_versions v JOIN backup_payloads p ON p.id = v.payload_id
                            WHERE p.sha256 LIKE printf('shared-%d-%%', ?2) OR p.sha256 LIKE printf('own-%d-%%', ?1)
                            """,
                        arguments: [setId, schedule])
                }
            }
        }
        try store.writer.writeWithoutTransaction { db in
            _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    static func copy(_ template: String, to folder: URL, name: String) throws -> String {
        let path = folder.appendingPathComponent("\(name).sqlite").path
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return path
    }

    static func launch(_ binary: URL, db: String) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["retention", "apply", "--db", db, "--actor", "crash-test", "--json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The `tenantpilot` executable next to the test bundle in the build products folder.
    static func tenantpilotBinary() -> URL? {
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        folders.append(Bundle.main.bundleURL)
        for folder in folders {
            let candidate = folder.appendingPathComponent("tenantpilot")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
        }
        return nil
    }
}
