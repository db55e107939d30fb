/// What lets code written against string codes (the Graph client, older branches) compile
/// unchanged while it moves to `ErrorCode`. New code names the static members; once `Graph/`
/// does too, this file goes.
extension ErrorCode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    public static func == (code: ErrorCode, text: String) -> Bool { code.rawValue == text }
    public static func == (text: String, code: ErrorCode) -> Bool { code.rawValue == text }
    public static func != (code: ErrorCode, text: String) -> Bool { code.rawValue != text }
}

extension TenantPilotError {
    /// `failed` with a code held as a string.
    public static func failed(_ message: String, code: String) -> TenantPilotError {
        .failed(message, code: ErrorCode(rawValue: code))
    }

    /// An error whose code is held as a string.
    public init(_ kind: Kind, code: String, _ message: String) {
        self.init(kind, code: ErrorCode(rawValue: code), message)
    }
}

extension GraphFailure {
    /// A Graph failure named by an `ErrorCode` (`GraphErrorCode`'s members are `ErrorCode`s).
    init(_ code: ErrorCode, _ message: String, retry: Retry, retryAfter: Duration? = nil) {
        self.init(code.rawValue, message, retry: retry, retryAfter: retryAfter)
    }
}
