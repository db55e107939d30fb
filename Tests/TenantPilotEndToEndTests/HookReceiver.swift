import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP server on 127.0.0.1 that receives hooks for one test: it records every request
/// (method, path, content type, body) and answers as told — a status, a redirect, or never (a
/// hang, until the test ends). It serves from threads of its own, with blocking sockets, so that
/// tests blocked waiting for the binary (which hold threads of Swift's cooperative pool) can
/// never starve it.
final class HookReceiver: @unchecked Sendable {
    enum Answer: Sendable {
        case status(Int)
        case redirect(to: String)
        case hang
    }

    struct Received: Sendable {
        let method: String
        let path: String
        let contentType: String?
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
    }

    enum Failure: Error { case socket(String) }

    let baseURL: String
    private let answer: Answer
    private let listener: Int32
    private let lock = NSLock()
    private var requests: [Received] = []
    private var open: [Int32] = []
    private var stopped = false

    init(answer: Answer) throws {
        self.answer = answer
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.socket("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw Failure.socket("bind/listen: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        baseURL = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    var received: [Received] { lock.withLock { requests } }

    /// Closes the listener and every connection still open (a hanging one included).
    func stop() {
        let sockets = lock.withLock { () -> [Int32] in
            if stopped { return [] }
            stopped = true
            return open + [listener]
        }
        for fd in sockets {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let keep = lock.withLock { () -> Bool in
                if stopped { return false }
                open.append(connection)
                return true
            }
            guard keep else {
                close(connection)
                return
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ fd: Int32) {
        while let request = readRequest(fd) {
            lock.withLock { requests.append(request) }
            let reply: String
            switch answer {
            case .status(let code):
                reply = "HTTP/1.1 \(code) Answer\r\nContent-Length: 2\r\n\r\nok"
            case .redirect(let location):
                reply = "HTTP/1.1 301 Moved\r\nLocation: \(location)\r\nContent-Length: 0\r\n\r\n"
            case .hang:
                // Never answers: the connection stays open until the client gives up or stop().
                continue
            }
            let bytes = Array(reply.utf8)
            guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return }
        }
    }

    /// One request: the head up to the blank line, then `Content-Length` bytes of body.
    private func readRequest(_ fd: Int32) -> Received? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
            if buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<($0 + 4)]) == separator }
            }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(buffer[(end + 4)...])
        while body.count < length {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            body += chunk[0..<count]
        }
        return Received(
            method: requestLine.first.map(String.init) ?? "",
            path: requestLine.dropFirst().first.map(String.init) ?? "",
            contentType: headers["content-type"], body: Data(body.prefix(length)))
    }
}
