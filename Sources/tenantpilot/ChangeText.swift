import TenantPilotCore

/// Plain-text lines of property-level changes (`restore`, `drift`, `backups diff`), each cut to
/// fit an 80-column terminal; `--json` carries them whole.
enum ChangeText {
    static let width = 80

    /// `path: old → new`.
    static func line(_ change: PropertyChange, indent: Int = 4) -> String {
        cut(change.summary(limit: 30), to: width - indent)
    }

    static func cut(_ text: String, to limit: Int) -> String {
        text.count > limit ? String(text.prefix(max(1, limit - 1))) + "…" : text
    }
}
