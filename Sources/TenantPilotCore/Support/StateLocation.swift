import Foundation

/// Where the store lives (SPEC §3): `--db`, else `$TENANTPILOT_DB`, else
/// `$TENANTPILOT_HOME/tenantpilot.sqlite`, `TENANTPILOT_HOME` defaulting to
/// `$XDG_STATE_HOME/tenantpilot` or `~/.local/state/tenantpilot`.
public enum StateLocation {
    public static func databasePath(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return expand(explicit, environment) }
        if let path = environment["TENANTPILOT_DB"], !path.isEmpty { return expand(path, environment) }
        return homeDirectory(environment: environment) + "/tenantpilot.sqlite"
    }

    public static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["TENANTPILOT_HOME"], !home.isEmpty { return expand(home, environment) }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
            return expand(state, environment) + "/tenantpilot"
        }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return userHome + "/.local/state/tenantpilot"
    }

    private static func expand(_ path: String, _ environment: [String: String]) -> String {
        guard path.hasPrefix("~/") else { return path }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return userHome + path.dropFirst()
    }
}
