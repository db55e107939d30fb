import Logging

extension Logger {
    /// A logger that drops everything: the default of every service, so that a library user
    /// (a test, a benchmark) never gets output it did not ask for. The command line passes the
    /// logger of `--log-level` instead.
    public static let disabled = Logger(label: "tenantpilot") { _ in SwiftLogNoOpLogHandler() }
}
