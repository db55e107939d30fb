import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who acts, for audit and notifications: `--actor`, else `$SUDO_USER`, else `$USER`, else the
/// user name of the process's uid (cron and systemd may set neither variable).
public enum ActorName {
    /// Name used for entries written by cron with no user in the environment.
    public static let system = "system"

    /// The longest `--actor` accepted.
    public static let maximumLength = 256

    /// `--actor` as given: at most 256 characters, no control characters (it is shown in plain
    /// output and written to the audit log).
    public static func validated(_ name: String) throws(TenantPilotError) -> String {
        guard name.count <= maximumLength else {
            throw .invalid(
                "--actor \"\(PlainText.escaped(String(name.prefix(40))))…\" is \(name.count) characters long; the limit is \(maximumLength)"
            )
        }
        guard !PlainText.containsControl(name) else {
            throw .invalid("--actor \(PlainText.escaped(name).debugDescription) must not contain control characters")
        }
        return name
    }

    public static func resolve(
        explicit: String?, environment: [String: String], userName: @autoclosure () -> String? = processUserName()
    ) -> String {
        for candidate in [explicit, environment["SUDO_USER"], environment["USER"]] {
            // A name from the environment that would be refused as `--actor` is passed over.
            if let name = candidate?.trimmingCharacters(in: .whitespaces), !name.isEmpty, (try? validated(name)) != nil
            {
                return name
            }
        }
        if let name = userName()?.trimmingCharacters(in: .whitespaces), !name.isEmpty, (try? validated(name)) != nil {
            return name
        }
        return system
    }

    /// The user name of the process's real uid (`getpwuid`), if it has one.
    public static func processUserName() -> String? {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
