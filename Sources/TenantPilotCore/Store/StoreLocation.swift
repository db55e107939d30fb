/// Which store a command works on: a SQLite file (one host), or a PostgreSQL database that
/// several hosts share. `--db` and `TENANTPILOT_DB` name either; a `postgresql://` (or
/// `postgres://`) URL is PostgreSQL, anything else a file path.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgreSQL(PostgreSQLLocation)

    /// Reads `--db`/`TENANTPILOT_DB` text (already resolved to a path or URL). A malformed URL is
    /// bad input (exit 2) naming the value, never its password.
    public static func parse(_ text: String, source: String, environment: [String: String]) throws(TenantPilotError)
        -> StoreLocation
    {
        if PostgreSQLLocation.isURL(text) {
            return .postgreSQL(try PostgreSQLLocation.parse(text, source: source, environment: environment))
        }
        return .sqlite(path: text)
    }

    /// The store as messages name it: the file's path, or the URL without any password.
    public var displayName: String {
        switch self {
        case .sqlite(let path): path
        case .postgreSQL(let location): location.displayURL
        }
    }

    /// Whether several hosts may dispatch against this store at once.
    public var isShared: Bool {
        if case .postgreSQL = self { return true }
        return false
    }
}
