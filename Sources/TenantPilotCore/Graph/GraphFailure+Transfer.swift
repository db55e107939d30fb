import Foundation

extension GraphFailure {
    /// A transfer that produced no usable reply: a redirect (never followed), a body over the
    /// size limit, a passed deadline, a cancelled wait, or the network.
    init(_ failure: TransferFailure, what: String, host: String) {
        switch failure {
        case .redirected(let status, let location):
            self = .redirect(status, to: location, what: what, host: host)
        case .tooLarge(let limit):
            self.init(
                .graphBadResponse,
                "Graph sent an unusable response for \(what): the body is larger than the limit of \(Self.megabytes(limit)); it was not read",
                retry: .never)
        case .deadline(let deadline):
            self.init(
                .graphUnavailable,
                "\(host) did not finish answering \(what) within \(Self.seconds(deadline)) (the deadline of one request)",
                retry: .limited)
        case .cancelled:
            self = .cancelled(what)
        case .network(let error):
            self = .transport(error, what: what, host: host)
        }
    }

    /// A 3xx answer. Graph and the token endpoint never redirect, and following one would send
    /// the token (or the secret) wherever `Location` points, so it is an unusable response.
    static func redirect(_ status: Int, to location: URL?, what: String, host: String) -> GraphFailure {
        let target =
            location?.host.map { PlainText.escaped($0) + (location?.port.map { ":\($0)" } ?? "") } ?? "no location"
        return GraphFailure(
            .graphBadResponse,
            "\(host) answered \(what) with a redirect (HTTP \(status)) to \(target); redirects are never followed, "
                + "so nothing was sent there",
            retry: .never)
    }

    /// A request given up because its run is ending.
    static func cancelled(_ what: String) -> GraphFailure {
        GraphFailure(.cancelled, "\(what) was cancelled", retry: .never)
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
