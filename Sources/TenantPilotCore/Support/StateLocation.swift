import Foundation

/// Where the store lives: `--db`, else `$TENANTPILOT_DB`, else
/// `$TENANTPILOT_HOME/tenantpilot.sqlite`, `TENANTPILOT_HOME` defaulting to
/// `$XDG_STATE_HOME/tenantpilot` or `~/.local/state/tenantpilot`.
public enum StateLocation {
    public static func databasePath(explicit: String?, environment: [String: String]) -> String {
        resolve(explicit: explicit, environment: environment).path
    }

    /// The store's path and which of the four rules chose it.
    public static func resolve(explicit: String?, environment: [String: String]) -> StoreLocation {
        if let explicit, !explicit.isEmpty {
            return StoreLocation(path: expand(explicit, environment), source: .option)
        }
        if let path = environment["TENANTPILOT_DB"], !path.isEmpty {
            return StoreLocation(path: expand(path, environment), source: .databaseVariable)
        }
        let source: StoreLocation.Source =
            environment["TENANTPILOT_HOME"].map { !$0.isEmpty } == true ? .homeVariable : .defaultLocation
        return StoreLocation(path: homeDirectory(environment: environment) + "/tenantpilot.sqlite", source: source)
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

/// The store a command was pointed at, and how: what a "no store here" message names, so that
/// a cron job with a mistyped variable or another `HOME` is told which rule to fix.
public struct StoreLocation: Sendable, Equatable {
    public enum Source: String, Sendable, Equatable {
        case option = "--db"
        case databaseVariable = "$TENANTPILOT_DB"
        case homeVariable = "$TENANTPILOT_HOME"
        /// `$XDG_STATE_HOME/tenantpilot` or `~/.local/state/tenantpilot`.
        case defaultLocation = "the default location"
    }

    public let path: String
    public let source: Source

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    /// `from $TENANTPILOT_DB`, or for the default the rule and how to choose another.
    public var origin: String {
        switch source {
        case .option, .databaseVariable, .homeVariable:
            "from \(source.rawValue)"
        case .defaultLocation:
            "the default location, as neither --db, $TENANTPILOT_DB nor $TENANTPILOT_HOME is set"
        }
    }
}
