import GRDB

/// Every statement on `audit_logs`.
struct SQLiteAuditTable: AuditTable {
    let db: Database
    typealias Columns = AuditEntry.Columns

    func record(_ entry: AuditEntry) throws {
        var entry = entry
        try entry.insert(db)
    }

    func list(tenantId: Int64?, action: AuditActionFilter?, limit: Int) throws -> [AuditEntry] {
        var request = AuditEntry.order(Columns.id.desc).limit(limit)
        if let tenantId { request = request.filter(Columns.tenantId == tenantId) }
        switch action {
        case .exact(let action)?:
            request = request.filter(Columns.action == action)
        case .family(let prefix)?:
            request = request.filter(
                Columns.action.like(prefix.replacingOccurrences(of: "_", with: "\\_") + "%", escape: "\\"))
        case nil:
            break
        }
        return try request.fetchAll(db)
    }

    func count(tenantId: Int64) throws -> Int {
        try AuditEntry.filter(Columns.tenantId == tenantId).fetchCount(db)
    }

    func actions() throws -> [AuditAction] {
        try AuditAction.fetchAll(db, sql: "SELECT DISTINCT action FROM audit_logs ORDER BY action")
    }
}

extension AuditEntry: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_logs"

    public enum Columns {
        public static let id = Column("id")
        public static let createdAt = Column("created_at")
        public static let actor = Column("actor")
        public static let tenantId = Column("tenant_id")
        public static let action = Column("action")
        public static let resourceType = Column("resource_type")
        public static let resourceId = Column("resource_id")
        public static let status = Column("status")
        public static let metadata = Column("metadata")
    }

    public init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: Columns.id), createdAt: try row.decode(forColumn: Columns.createdAt),
            actor: try row.decode(forColumn: Columns.actor), tenantId: try row.decode(forColumn: Columns.tenantId),
            action: try row.decode(forColumn: Columns.action),
            resourceType: try row.decode(forColumn: Columns.resourceType),
            resourceId: try row.decode(forColumn: Columns.resourceId),
            status: try row.decode(forColumn: Columns.status),
            metadata: JSONColumn.object(try row.decode(forColumn: Columns.metadata)))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.createdAt] = createdAt
        container[Columns.actor] = actor
        container[Columns.tenantId] = tenantId
        container[Columns.action] = action
        container[Columns.resourceType] = resourceType
        container[Columns.resourceId] = resourceId
        container[Columns.status] = status
        container[Columns.metadata] = JSONColumn.text(metadata)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
