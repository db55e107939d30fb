/// Everything `tenantpilot doctor` found, in the order it checked; `--json` prints it as
/// `{"checks": [{"name", "status", "detail"}], "ok": bool}`.
public struct DoctorReport: Sendable, Equatable, Encodable {
    public let checks: [DoctorCheck]

    public init(checks: [DoctorCheck]) {
        self.checks = checks
    }

    /// True when no check failed (warnings and skipped checks do not make a report fail).
    public var ok: Bool { !checks.contains { $0.status == .fail } }

    /// One line per check.
    public var text: String { checks.map(\.line).joined(separator: "\n") }

    enum CodingKeys: String, CodingKey { case checks, ok }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(ok, forKey: .ok)
    }
}
