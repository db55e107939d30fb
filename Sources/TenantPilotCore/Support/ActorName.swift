import Foundation

/// Who acts, for audit and notifications: `--actor`, else `$SUDO_USER`, else `$USER`.
public enum ActorName {
    /// Name used for entries written by cron with no user in the environment.
    public static let system = "system"

    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        for candidate in [explicit, environment["SUDO_USER"], environment["USER"]] {
            if let name = candidate?.trimmingCharacters(in: .whitespaces), !name.isEmpty { return name }
        }
        return system
    }
}
