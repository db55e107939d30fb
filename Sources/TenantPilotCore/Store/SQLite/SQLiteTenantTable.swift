import GRDB

/// Every statement on `tenants`.
struct SQLiteTenantTable: TenantTable {
    let db: Database
    typealias Columns = Tenant.Columns

    func insert(_ tenant: Tenant) throws -> Tenant {
        var tenant = tenant
        try tenant.insert(db)
        return tenant
    }

    func update(_ tenant: Tenant) throws {
        try tenant.update(db)
    }

    func markRemoved(_ id: Int64, at instant: Instant) throws {
        try db.execute(
            sql: "UPDATE tenants SET removed_at = ? WHERE id = ? AND removed_at IS NULL", arguments: [instant, id])
    }

    func markPurged(_ id: Int64, at instant: Instant) throws {
        try db.execute(
            sql: "UPDATE tenants SET removed_at = coalesce(removed_at, ?), purged_at = ? WHERE id = ?",
            arguments: [instant, instant, id])
    }

    func removed(named name: String) throws -> Tenant? {
        try Tenant.filter(Columns.name == name && Columns.removedAt != nil).order(Columns.id.desc).fetchOne(db)
    }

    func sameApplication(tenantGuid: String, clientId: String) throws -> [Tenant] {
        try Tenant.filter(
            Columns.tenantGuid == tenantGuid && Columns.clientId == clientId && Columns.removedAt == nil
        ).order(Columns.id).fetchAll(db)
    }

    func all(includingRemoved: Bool) throws -> [Tenant] {
        if !includingRemoved { return try all() }
        return try Tenant.order(Columns.name, Columns.id).fetchAll(db)
    }

    func find(id: Int64) throws -> Tenant? {
        try Tenant.fetchOne(db, key: id)
    }

    func find(ids: Set<Int64>) throws -> [Tenant] {
        try Tenant.fetchAll(db, keys: ids)
    }

    func named(_ name: String) throws -> Tenant? {
        try Tenant.filter(Columns.name == name && Columns.removedAt == nil).fetchOne(db)
    }

    func all() throws -> [Tenant] {
        try Tenant.filter(Columns.removedAt == nil).order(Columns.name).fetchAll(db)
    }
}

extension Tenant: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "tenants"

    public enum Columns {
        public static let id = Column("id")
        public static let name = Column("name")
        public static let tenantGuid = Column("tenant_guid")
        public static let clientId = Column("client_id")
        public static let secretEnv = Column("secret_env")
        public static let secretFile = Column("secret_file")
        public static let graphURL = Column("graph_url")
        public static let authorityURL = Column("authority_url")
        public static let createdAt = Column("created_at")
        public static let certificateFile = Column("certificate_file")
        public static let privateKeyFile = Column("private_key_file")
        public static let removedAt = Column("removed_at")
        public static let purgedAt = Column("purged_at")
    }

    public init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: Columns.id), name: try row.decode(forColumn: Columns.name),
            tenantGuid: try row.decode(forColumn: Columns.tenantGuid),
            clientId: try row.decode(forColumn: Columns.clientId),
            secretEnv: try row.decode(forColumn: Columns.secretEnv),
            secretFile: try row.decode(forColumn: Columns.secretFile),
            graphURL: try row.decode(forColumn: Columns.graphURL),
            authorityURL: try row.decode(forColumn: Columns.authorityURL),
            createdAt: try row.decode(forColumn: Columns.createdAt),
            certificateFile: try row.decode(forColumn: Columns.certificateFile),
            privateKeyFile: try row.decode(forColumn: Columns.privateKeyFile),
            removedAt: try row.decode(forColumn: Columns.removedAt),
            purgedAt: try row.decode(forColumn: Columns.purgedAt))
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.name] = name
        container[Columns.tenantGuid] = tenantGuid
        container[Columns.clientId] = clientId
        container[Columns.secretEnv] = secretEnv
        container[Columns.secretFile] = secretFile
        container[Columns.graphURL] = graphURL
        container[Columns.authorityURL] = authorityURL
        container[Columns.createdAt] = createdAt
        container[Columns.certificateFile] = certificateFile
        container[Columns.privateKeyFile] = privateKeyFile
        container[Columns.removedAt] = removedAt
        container[Columns.purgedAt] = purgedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
