import PostgresNIO

/// Every statement on `hooks` (migration `v7_hooks`).
struct PostgreSQLHookTable: HookTable {
    let connection: PostgreSQLConnection

    static let columns =
        "id, events, tenant_id, backup_schedule_id, kind, target, target_env, timeout_seconds, created_at"

    func insert(_ hook: Hook) throws -> Hook {
        var inserted = hook
        let row = try connection.row(
            """
            INSERT INTO hooks (id, events, tenant_id, backup_schedule_id, kind, target, target_env, timeout_seconds,
                               created_at)
            VALUES (coalesce($1, nextval(pg_get_serial_sequence('hooks', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9)
            RETURNING id
            """,
            [
                hook.id, JSONColumn.text(hook.events.map(\.rawValue)), hook.tenantId, hook.scheduleId,
                hook.kind.rawValue, hook.target, hook.targetEnv, hook.timeoutSeconds, hook.createdAt,
            ])
        inserted.id = try row?.int64("id")
        return inserted
    }

    func all() throws -> [Hook] {
        try connection.rows("SELECT \(Self.columns) FROM hooks ORDER BY id").map(Self.hook)
    }

    func find(id: Int64) throws -> Hook? {
        try connection.row("SELECT \(Self.columns) FROM hooks WHERE id = $1", [id]).map(Self.hook)
    }

    func delete(id: Int64) throws -> Bool {
        try connection.execute("DELETE FROM hooks WHERE id = $1", [id]) > 0
    }

    static func hook(_ row: PostgresRandomAccessRow) throws -> Hook {
        let id = try row.int64("id")
        let names = JSONColumn.strings(try row.string("events"))
        let events = names.compactMap(Hook.Event.init(rawValue:))
        guard events.count == names.count else {
            throw TenantPilotError.failed("hook \(id) has events \(names)", code: .storeCorrupt)
        }
        return Hook(
            id: id, events: events, tenantId: try row.optionalInt64("tenant_id"),
            scheduleId: try row.optionalInt64("backup_schedule_id"), kind: try row.code("kind"),
            target: try row.optionalString("target"), targetEnv: try row.optionalString("target_env"),
            timeoutSeconds: try row.int("timeout_seconds"), createdAt: try row.instant("created_at"))
    }
}
