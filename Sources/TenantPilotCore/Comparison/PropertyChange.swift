/// One property that differs between two captures of a policy: where (`path`), what it was and
/// what it is. A property missing on one side is `null` there. Shared by `restore`'s plan,
/// `drift` and `backups diff`.
///
/// Paths read like the payload: `description`, `omaSettings[./Vendor/MSFT/…].value` (an array
/// element named by its natural key), `assignments[]` (an element of an array compared as a
/// set: `old` is an element only the old side has, `new` one only the new side has).
public struct PropertyChange: Sendable, Hashable, Encodable {
    public let path: String
    public let old: JSONValue
    public let new: JSONValue

    public init(path: String, old: JSONValue, new: JSONValue) {
        self.path = path
        self.old = old
        self.new = new
    }

    /// The top-level property the change is in (`assignments` for `assignments[]`).
    public var property: String {
        let end = path.firstIndex { $0 == "." || $0 == "[" } ?? path.endIndex
        return String(path[..<end])
    }

    /// `path: old → new`, each value cut to `limit` characters, for plain-text output.
    public func summary(limit: Int = 60) -> String {
        "\(path): \(Self.short(old, limit)) → \(Self.short(new, limit))"
    }

    static func short(_ value: JSONValue, _ limit: Int) -> String {
        let text = String(decoding: value.canonicalData(), as: UTF8.self)
        return text.count > limit ? String(text.prefix(max(1, limit - 1))) + "…" : text
    }
}
