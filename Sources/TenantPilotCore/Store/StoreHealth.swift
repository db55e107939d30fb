/// What `doctor` reads about the store itself: how it is journaled, how far it is migrated,
/// and whether its integrity check passes.
public struct StoreHealth: Sendable, Equatable {
    /// `wal` for a healthy SQLite store.
    public var journalMode: String
    public var appliedMigrations: Int
    public var knownMigrations: Int
    /// Empty when the integrity check passes; else its first findings.
    public var integrityProblems: [String]

    public init(journalMode: String, appliedMigrations: Int, knownMigrations: Int, integrityProblems: [String]) {
        self.journalMode = journalMode
        self.appliedMigrations = appliedMigrations
        self.knownMigrations = knownMigrations
        self.integrityProblems = integrityProblems
    }
}
