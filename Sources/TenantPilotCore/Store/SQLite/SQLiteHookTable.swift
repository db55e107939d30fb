import Foundation
import GRDB

/// Every statement on `hooks` (migration `v7_hooks`).
struct SQLiteHookTable: HookTable {
    let db: Database
    typealias Columns = Hook.Columns

    func insert(_ hook: Hook) throws -> Hook {
        var hook = hook
        try hook.insert(db)
        return hook
    }

    func all() throws -> [Hook] {
        try Hook.order(Columns.id).fetchAll(db)
    }

    func find(id: Int64) throws -> Hook? {
        try Hook.fetchOne(db, key: id)
    }

    func delete(id: Int64) throws -> Bool {
        try Hook.deleteOne(db, key: id)
    }
}

extension Hook.Event: DatabaseValueConvertible {}
extension Hook.Kind: DatabaseValueConvertible {}

extension Hook: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "hooks"

    public enum Columns {
        public static let id = Column("id")
        public static let events = Column("events")
        public static let tenantId = Column("tenant_id")
        public static let scheduleId = Column("backup_schedule_id")
        public static let kind = Column("kind")
        public static let target = Column("target")
        public static let targetEnv = Column("target_env")
        public static let timeoutSeconds = Column("timeout_seconds")
        public static let createdAt = Column("created_at")
    }

    public init(row: Row) throws {
        let id: Int64 = try row.decode(forColumn: Columns.id)
        let names = JSONColumn.strings(try row.decode(forColumn: Columns.events))
        let events = names.compactMap(Event.init(rawValue:))
        guard events.count == names.count else {
            throw TenantPilotError.failed("hook \(id) has events \(names)", code: .storeCorrupt)
        }
        self.init(
            id: id, events: events, tenantId: try row.decode(forColumn: Columns.tenantId),
            scheduleId: try row.decode(forColumn: Columns.scheduleId), kind: try row.decode(forColumn: Columns.kind),
            target: try row.decode(forColumn: Columns.target), targetEnv: try row.decode(forColumn: Columns.targetEnv),
            timeoutSeconds: try row.decode(forColumn: Columns.timeoutSeconds),
            createdAt: try row.decode(forColumn: Columns.createdAt))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.events] = JSONColumn.text(events.map(\.rawValue))
        container[Columns.tenantId] = tenantId
        container[Columns.scheduleId] = scheduleId
        container[Columns.kind] = kind
        container[Columns.target] = target
        container[Columns.targetEnv] = targetEnv
        container[Columns.timeoutSeconds] = timeoutSeconds
        container[Columns.createdAt] = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension StoreSchema {
    /// `v7_hooks`: alerts on run events. A hook of a tenant or a schedule goes with it when that
    /// row is deleted; `events` is a JSON array of event names; exactly one of `target` (a URL
    /// or a command) and `target_env` (the variable holding a URL) is set.
    static let v7Hooks = """
        CREATE TABLE hooks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            events TEXT NOT NULL,
            tenant_id INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
            backup_schedule_id INTEGER REFERENCES backup_schedules(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('webhook', 'command', 'ping')),
            target TEXT,
            target_env TEXT,
            timeout_seconds INTEGER NOT NULL DEFAULT 10 CHECK (timeout_seconds BETWEEN 1 AND 120),
            created_at TEXT NOT NULL,
            CHECK ((target IS NULL) <> (target_env IS NULL)),
            CHECK (tenant_id IS NULL OR backup_schedule_id IS NULL)
        );
        """
}
