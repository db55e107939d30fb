/// One finding of `tenantpilot doctor`: what was checked, how it went, and a line that says
/// what was found or what to do. Never holds a secret's value.
public struct DoctorCheck: Sendable, Equatable, Encodable {
    /// How a check went.
    public enum Status: String, Sendable, Equatable, Encodable, CaseIterable {
        /// Fine.
        case ok
        /// Broken: cron runs would fail or misbehave. `doctor` exits 1.
        case fail
        /// Works, but worth a look (a folder others can list, cron seems not to be running).
        case warn
        /// Not checked (an earlier check failed, or the check is not available).
        case skipped
    }

    /// What was checked, e.g. `store` or `secret of tenant contoso`.
    public let name: String
    public let status: Status
    /// What was found, or what to do about it.
    public let detail: String

    public init(name: String, status: Status, detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }

    public static func ok(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .ok, detail: detail)
    }
    public static func fail(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .fail, detail: detail)
    }
    public static func warn(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .warn, detail: detail)
    }
    public static func skipped(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .skipped, detail: detail)
    }

    /// The human line: `ok   store: /path (WAL, 3 migrations, integrity ok)`.
    public var line: String {
        let label =
            switch status {
            case .ok: "ok"
            case .fail: "FAIL"
            case .warn: "WARN"
            case .skipped: "skip"
            }
        return label.padding(toLength: 5, withPad: " ", startingAt: 0) + name + ": " + detail
    }
}
