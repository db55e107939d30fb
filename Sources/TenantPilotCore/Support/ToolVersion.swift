/// What `tenantpilot --version` prints: the version, and the two things a binary brings with it
/// that change behaviour — the SQLite library it stores with, and the time-zone data its slots
/// are computed with (the toolchain's ICU, not the system's tzdata).
public enum ToolVersion {
    public static let number = "0.12.0"

    /// `tenantpilot 0.12.0`, `SQLite 3.46.1`, `time-zone data 2025b`, one per line.
    public static func text() -> String {
        [
            "tenantpilot \(number)", "SQLite \(Store.sqliteVersion ?? "unknown")",
            "time-zone data \(ScheduleZone.dataVersion)",
        ].joined(separator: "\n")
    }
}
