/// Text from outside the tool (Graph's error messages and display names, a token endpoint's
/// `error_description`, names typed by a user) made safe for a terminal or a log line.
public enum PlainText {
    /// `text` with every control character shown as an escape (`\n`, `\t`, `\u{1B}`): nothing
    /// from outside can move the cursor, clear the screen, recolour the terminal or forge a log
    /// line. C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional
    /// overrides are escaped; everything else — accents, emoji with their joiners — is kept.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default: escape = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    /// Whether a scalar would act on a terminal or a log rather than show as text.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional embeddings, overrides, isolates
        default: false
        }
    }

    /// Whether `text` holds any such scalar (what input validation refuses).
    public static func containsControl(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: needsEscape)
    }
}
