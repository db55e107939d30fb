import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Names a live process as `pid:start-time`, so that a run left `running` by a process that
/// died is recognised even when its pid has since been reused by another process.
public enum ProcessIdentity {
    /// This process's identity.
    public static let current: String = identity(of: getpid()) ?? "\(getpid()):?"

    /// Whether the process named by `token` still runs.
    public static func isAlive(_ token: String) -> Bool {
        let parts = token.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let pid = Int32(first), pid > 0 else { return false }
        if let now = identity(of: pid) {
            return now == token || parts.count < 2 || parts[1] == "?"
        }
        #if os(Linux)
            return false
        #else
            return kill(pid, 0) == 0 || errno == EPERM
        #endif
    }

    /// `pid:starttime` from /proc (field 22 of stat: start time in clock ticks since boot).
    private static func identity(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); start time is field 22 → index 19.
        guard fields.count > 19 else { return nil }
        if fields[0] == "Z" || fields[0] == "X" { return nil }
        return "\(pid):\(fields[19])"
    }
}
