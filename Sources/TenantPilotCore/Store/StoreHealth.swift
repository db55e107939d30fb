/// What `doctor` reads about the store itself: how it is journaled, how far it is migrated,
/// whether its integrity check passes, and for PostgreSQL the server it is on.
public struct StoreHealth: Sendable, Equatable {
    /// `wal` for a healthy SQLite store.
    public var journalMode: String
    public var appliedMigrations: Int
    public var knownMigrations: Int
    /// Empty when the integrity check passes; else its first findings.
    public var integrityProblems: [String]
    /// For a PostgreSQL store: the server and the session (nil for SQLite).
    public var server: Server? = nil

    /// What `doctor` shows of a PostgreSQL server.
    public struct Server: Sendable, Equatable {
        /// `15.18 (Debian 15.18-0+deb12u1)`.
        public var version: String
        public var user: String
        public var database: String
        /// Whether this connection is encrypted.
        public var tls: Bool
        /// Schedule locks held right now (by runs in progress on any host).
        public var scheduleLocksHeld: Int
    }

    public init(journalMode: String, appliedMigrations: Int, knownMigrations: Int, integrityProblems: [String]) {
        self.journalMode = journalMode
        self.appliedMigrations = appliedMigrations
        self.knownMigrations = knownMigrations
        self.integrityProblems = integrityProblems
    }
}
