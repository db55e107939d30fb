import Logging

/// Which database a store is: a SQLite file (one host), or a PostgreSQL database that several
/// hosts share. `--db` and `TENANTPILOT_DB` name either (`StoreLocation` says which rule chose
/// the value); a `postgresql://` (or `postgres://`) URL is PostgreSQL, anything else a file path.
public enum StoreDatabase: Sendable, Equatable {
    case sqlite(path: String)
    case postgreSQL(PostgreSQLLocation)

    /// Reads `--db`/`TENANTPILOT_DB` text (already resolved to a path or URL). A malformed URL is
    /// bad input (exit 2) naming the value, never its password.
    public static func parse(_ text: String, source: String, environment: [String: String]) throws(TenantPilotError)
        -> StoreDatabase
    {
        if PostgreSQLLocation.isURL(text) {
            return .postgreSQL(try PostgreSQLLocation.parse(text, source: source, environment: environment))
        }
        return .sqlite(path: text)
    }

    /// The database a command was pointed at (`location`), with the PostgreSQL password found
    /// (`passwordFile` from `--db-password-file`, else `PGPASSWORD`, else `~/.pgpass`). Bad input
    /// (exit 2): a malformed URL, or a password file given for a SQLite store.
    public static func resolve(
        _ location: StoreLocation, passwordFile: String?, environment: [String: String], logger: Logger
    ) throws(TenantPilotError) -> StoreDatabase {
        switch try parse(location.path, source: location.source.rawValue, environment: environment) {
        case .postgreSQL(let postgreSQL):
            return .postgreSQL(
                try postgreSQL.resolvingPassword(passwordFile: passwordFile, environment: environment, logger: logger))
        case .sqlite(let path):
            if passwordFile != nil {
                throw .invalid("--db-password-file is for a PostgreSQL store; \(path) is a SQLite file")
            }
            return .sqlite(path: path)
        }
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
