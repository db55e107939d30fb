import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a command hook: `/bin/sh -c COMMAND` in a process group of its own, `input` on stdin,
/// stdout discarded, the first line of stderr kept for the failure message. At the deadline
/// the whole group is killed, so a command that hangs (or leaves children behind) ends with it.
enum HookCommand {
    /// How the command ended.
    enum Outcome: Sendable, Equatable {
        case exited(Int32, stderr: String)
        case killed(signal: Int32, stderr: String)
        case timedOut
        case couldNotStart(String)
    }

    static func run(
        _ command: String, input: Data, environment: [String: String], timeout: Duration
    ) async -> Outcome {
        let folder = FileManager.default.temporaryDirectory.path
        guard let stdin = temporaryFile(in: folder, content: input),
            let stderr = temporaryFile(in: folder, content: nil)
        else {
            return .couldNotStart("cannot create its temporary files in \(folder): \(String(cString: strerror(errno)))")
        }
        defer {
            close(stdin)
            close(stderr)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (killed whole at the deadline), and SIGPIPE back to its default:
        // tenantpilot ignores it, and a child would inherit that.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments = ["/bin/sh", "-c", command]
        let variables = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        let spawned = withCStrings(arguments) { argv in
            withCStrings(variables) { envp in
                posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
            }
        }
        guard spawned == 0 else { return .couldNotStart("cannot start /bin/sh: \(String(cString: strerror(spawned)))") }

        let ending = ProcessEnding(pid: pid)
        let status = await ending.wait(timeout: timeout)
        let firstLine = Self.firstLine(of: stderr)
        switch status {
        case .timedOut:
            return .timedOut
        case .status(let raw):
            if raw & 0x7F == 0 { return .exited((raw >> 8) & 0xFF, stderr: firstLine) }
            return .killed(signal: raw & 0x7F, stderr: firstLine)
        }
    }

    /// An unlinked temporary file holding `content`, open for reading from its start.
    private static func temporaryFile(in folder: String, content: Data?) -> Int32? {
        var template = Array((folder + "/tenantpilot-hook-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            let fd = mkstemp(base)
            if fd >= 0 { unlink(base) }
            return fd
        }
        guard fd >= 0 else { return nil }
        if let content, !content.isEmpty {
            let written = content.withUnsafeBytes { raw in write(fd, raw.baseAddress, raw.count) }
            guard written == content.count else {
                close(fd)
                return nil
            }
        }
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    /// The first line of what the command wrote to stderr, at most 200 characters.
    private static func firstLine(of fd: Int32) -> String {
        lseek(fd, 0, SEEK_SET)
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return "" }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return PlainText.escaped(String(line.prefix(RunProblemLine.messageLimit)))
    }

    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// Waits for a child to end on a thread of its own (never the cooperative pool), or kills its
/// process group at the deadline; the child is reaped either way.
final class ProcessEnding: @unchecked Sendable {
    enum Status: Sendable {
        case status(Int32)
        case timedOut
    }

    private let pid: pid_t
    private let lock = NSLock()
    private var reaped = false
    private var timedOut = false

    init(pid: pid_t) {
        self.pid = pid
    }

    func wait(timeout: Duration) async -> Status {
        let pid = self.pid
        return await withCheckedContinuation { (continuation: CheckedContinuation<Status, Never>) in
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                let expired = self.lock.withLock { () -> Bool in
                    self.reaped = true
                    return self.timedOut
                }
                continuation.resume(returning: expired ? .timedOut : .status(raw))
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + GraphTransport.seconds(timeout)) {
                // Only a child not yet reaped is killed: its pid (and group) cannot have been reused.
                let expire = self.lock.withLock { () -> Bool in
                    if self.reaped { return false }
                    self.timedOut = true
                    return true
                }
                if expire { _ = kill(-pid, SIGKILL) }
            }
        }
    }
}
