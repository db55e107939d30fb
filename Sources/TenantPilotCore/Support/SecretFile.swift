import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rules for any file that holds a secret — a client secret today, a private key or a
/// webhook token tomorrow — in one place. Such a file must be a regular file on a real file
/// system (not `/proc`, `/sys` or another kernel view: `/proc/self/environ` would post the whole
/// environment as the secret), small (at most 8 KB), owned by the user running the tool, and
/// readable by that user only.
public enum SecretFile {
    public static let maximumSize = 8 * 1024
    /// A PEM file holding a private key may also hold its certificate chain.
    public static let maximumKeyFileSize = 64 * 1024

    /// Why a file may not hold a secret, as a sentence about `path`.
    public struct Refusal: Error, Sendable, Equatable {
        public let message: String
        /// The file is missing (which registration accepts: it may be written later).
        public let missing: Bool
        /// This user may not open the file (registration warns: the user of the crontab may).
        public var denied = false
    }

    /// Reads the secret file at `path` once it passed every rule; the rules are checked on the
    /// opened file itself, so the file cannot be swapped between the check and the read.
    /// `requirePrivateMode` false leaves the mode to the caller (a key file others can read is
    /// warned about, not refused); `limit` is the largest size accepted.
    public static func read(_ path: String, requirePrivateMode: Bool = true, limit: Int = maximumSize) throws(Refusal)
        -> Data
    {
        let fd = try open(path)
        defer { close(fd) }
        try check(fd, path: path, requirePrivateMode: requirePrivateMode, limit: limit)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count <= limit {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count < 0 {
                throw Refusal(
                    message: "cannot read secret file \(path): \(String(cString: strerror(errno)))", missing: false)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        guard data.count <= limit else { throw tooLarge(path, limit: limit) }
        return data
    }

    /// Checks the rules without reading the secret; `requirePrivateMode` false leaves the mode
    /// out (registration accepts a file that is still to be `chmod 600`ed; a run does not).
    public static func check(_ path: String, requirePrivateMode: Bool) throws(Refusal) {
        let fd = try open(path)
        defer { close(fd) }
        try check(fd, path: path, requirePrivateMode: requirePrivateMode, limit: maximumSize)
    }

    private static func open(_ path: String) throws(Refusal) -> Int32 {
        // Non-blocking, so that a FIFO in its place cannot hold the process until someone writes.
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw Refusal(
                message: "cannot read secret file \(path): \(String(cString: strerror(code)))",
                missing: code == ENOENT || code == ENOTDIR, denied: code == EACCES)
        }
        return fd
    }

    private static func check(_ fd: Int32, path: String, requirePrivateMode: Bool, limit: Int) throws(Refusal) {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Refusal(
                message: "cannot examine secret file \(path): \(String(cString: strerror(errno)))", missing: false)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Refusal(
                message:
                    "secret file \(path) is not a regular file (a device, FIFO, socket or folder cannot hold a secret)",
                missing: false)
        }
        if let system = pseudoFileSystem(fd) {
            throw Refusal(
                message: "secret file \(path) is on \(system), not a real file system; it cannot hold a secret",
                missing: false)
        }
        guard info.st_uid == geteuid() else {
            throw Refusal(
                message: "secret file \(path) is owned by uid \(info.st_uid), not by this user (uid \(geteuid()))",
                missing: false)
        }
        guard info.st_size <= limit else { throw tooLarge(path, limit: limit) }
        let mode = UInt32(info.st_mode) & 0o777
        if requirePrivateMode, mode & 0o077 != 0 {
            throw Refusal(
                message:
                    "secret file \(path) has mode \(octal(mode)); it must not be readable by others: chmod 600 \(path)",
                missing: false)
        }
    }

    /// `0644`, as `ls` and `chmod` spell a mode.
    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func tooLarge(_ path: String, limit: Int) -> Refusal {
        Refusal(
            message: "secret file \(path) is larger than \(limit / 1024) KB; a secret is never that long",
            missing: false)
    }

    /// Kernel file systems: views of the kernel's state, never a place for a secret.
    static let pseudoFileSystems: Set<String> = [
        "proc", "sysfs", "devpts", "debugfs", "tracefs", "securityfs", "cgroup", "cgroup2", "bpf", "configfs",
        "efivarfs",
        "pstore", "fusectl", "binfmt_misc", "selinuxfs", "smackfs", "nsfs", "mqueue", "hugetlbfs", "autofs",
        "rpc_pipefs",
    ]

    /// The type of the kernel file system the open file is on (`proc`, `sysfs`, …), when it is
    /// one: the longest mount point of `/proc/self/mountinfo` holding the file's real path.
    static func pseudoFileSystem(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard length > 0, let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else {
            return nil
        }
        let real = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count >= 2 else { continue }
            let fields = halves[0].split(separator: " ")
            let tail = halves[halves.count - 1].split(separator: " ")
            guard fields.count >= 5, let type = tail.first else { continue }
            let point = unescape(String(fields[4]))
            let inside = point == "/" || real == point || real.hasPrefix(point + "/")
            if inside, point.count >= (best?.point.count ?? -1) { best = (point, String(type)) }
        }
        guard let type = best?.type, pseudoFileSystems.contains(type) else { return nil }
        return "a kernel file system (\(type))"
    }

    /// mountinfo writes space, tab, newline and backslash in paths as `\ooo`.
    private static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
