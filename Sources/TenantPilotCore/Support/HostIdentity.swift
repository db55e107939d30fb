import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The name of the host a process runs on, as each run records it (`backup_schedule_runs.host`).
/// On a shared PostgreSQL store it says which host executed a run, and together with the
/// process's identity it names the process that owns an unfinished run.
///
/// `TENANTPILOT_HOST` overrides the system's host name, so that tests (and containers that
/// all share one name) can run several "hosts" on one machine.
public enum HostIdentity {
    /// The environment variable that overrides the host name.
    public static let overrideVariable = "TENANTPILOT_HOST"

    /// This process's host name: `TENANTPILOT_HOST` when set (and usable), else the system's.
    public static let current: String = resolve(environment: ProcessInfo.processInfo.environment)

    /// The host name an environment gives: its override when it is a usable name (1 to 255
    /// characters, no control characters), else `gethostname`, else `localhost`.
    public static func resolve(environment: [String: String]) -> String {
        if let name = environment[overrideVariable], isUsable(name) { return name }
        var buffer = [CChar](repeating: 0, count: 256)
        if gethostname(&buffer, buffer.count - 1) == 0 {
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if isUsable(name) { return name }
        }
        return "localhost"
    }

    /// Whether `name` can be recorded as a host name.
    public static func isUsable(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
