import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// File-system operations that never follow a symbolic link where the tool creates something,
/// and give exactly the mode asked for whatever the umask: the store, its folders and lock
/// folder, and the files of an export.
public enum SafeFiles {
    /// Why an operation failed: what was being done, to which path, and `errno`'s reason.
    public struct Failure: Error, Sendable, Equatable {
        public let path: String
        public let reason: String

        public var message: String { "\(path): \(reason)" }
    }

    static func failure(_ path: String, _ code: Int32 = errno) -> Failure {
        Failure(path: path, reason: String(cString: strerror(code)))
    }

    // MARK: - Folders

    /// Creates `path` and its missing parents. Each folder this call creates gets exactly
    /// `mode` (`exact`, the default) or `mode` less the umask; folders that exist are left as
    /// they are, and one that exists as anything but a folder (a dangling link included) fails.
    public static func makeDirectories(_ path: String, mode: mode_t, exact: Bool = true) throws(Failure) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var prefix = ""
        for component in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, mode) == 0 {
                if exact, chmod(prefix, mode) != 0 { throw failure(prefix) }
                continue
            }
            let code = errno
            guard code == EEXIST else { throw failure(prefix, code) }
            var info = stat()
            guard stat(prefix, &info) == 0 else {
                throw Failure(path: prefix, reason: "a symbolic link to nothing; no folder is created through a link")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw Failure(path: prefix, reason: "exists and is not a folder")
            }
        }
    }

    // MARK: - Files

    /// What is at a path, without following a link there.
    public enum Entry: Sendable, Equatable {
        case missing
        case file
        case directory
        /// A link whose target exists.
        case link
        /// A link whose target does not exist.
        case danglingLink
        case other
    }

    public static func entry(at path: String) -> Entry {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK:
            var target = stat()
            return stat(path, &target) == 0 ? .link : .danglingLink
        default: return .other
        }
    }

    /// Creates an empty file at `path` with exactly `mode`; never through a link. False when
    /// something already exists there.
    @discardableResult
    public static func createFile(_ path: String, mode: mode_t) throws(Failure) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw failure(path)
        }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw failure(path) }
        return true
    }

    // MARK: - Writing below a folder

    /// An open folder, to create entries in it by name without following links.
    public final class Directory: @unchecked Sendable {
        public let path: String
        let fd: Int32

        /// Opens the folder at `path` (following a link the caller named on purpose).
        public init(path: String) throws(Failure) {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw failure(path) }
            self.path = path
            self.fd = fd
        }

        private init(path: String, fd: Int32) {
            self.path = path
            self.fd = fd
        }

        deinit { close(fd) }

        /// The names in this folder (`.` and `..` left out).
        public func entries() throws(Failure) -> [String] {
            let copy = dup(fd)
            guard copy >= 0, let stream = fdopendir(copy) else { throw failure(path) }
            defer { closedir(stream) }
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            return names
        }

        /// The sub-folder `name`, created with `mode` (less the umask, or exactly with `exact`) if
        /// missing; a link in its place is refused, never followed.
        public func subdirectory(_ name: String, mode: mode_t = 0o777, exact: Bool = false) throws(Failure)
            -> Directory
        {
            let child = path + "/" + name
            let created = mkdirat(fd, name, mode) == 0
            if !created, errno != EEXIST { throw failure(child) }
            let opened = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard opened >= 0 else {
                let code = errno
                if code == ELOOP || code == ENOTDIR {
                    throw Failure(
                        path: child, reason: "is a symbolic link or not a folder; nothing is written through it")
                }
                throw failure(child, code)
            }
            if created, exact, fchmod(opened, mode) != 0 {
                let code = errno
                close(opened)
                throw failure(child, code)
            }
            return Directory(path: child, fd: opened)
        }

        /// Writes `data` as the file `name`: into a new temporary file beside it, then renamed over
        /// it, so that a link at `name` is replaced, never written through, and a reader never
        /// sees half a file. The file gets `mode` less the umask, or exactly `mode` (`exact`: a
        /// file another user's program must read, such as node_exporter's textfile collector).
        public func write(_ data: Data, to name: String, mode: mode_t = 0o666, exact: Bool = false) throws(Failure) {
            let target = path + "/" + name
            let temporary = ".\(name.prefix(200)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            let out = openat(fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard out >= 0 else { throw failure(target) }
            if exact, fchmod(out, mode) != 0 {
                let code = errno
                close(out)
                unlinkat(fd, temporary, 0)
                throw failure(target, code)
            }
            let written = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
                guard var pointer = raw.baseAddress else { return true }
                var remaining = raw.count
                while remaining > 0 {
                    let count = Glibc.write(out, pointer, remaining)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { return false }
                    pointer += count
                    remaining -= count
                }
                return true
            }
            let code = errno
            close(out)
            guard written else {
                unlinkat(fd, temporary, 0)
                throw failure(target, code)
            }
            guard renameat(fd, temporary, fd, name) == 0 else {
                let code = errno
                unlinkat(fd, temporary, 0)
                throw failure(target, code)
            }
        }
    }
}
