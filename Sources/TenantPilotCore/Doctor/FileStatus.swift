import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `stat(2)` and `access(2)` say about a path, for the permission checks of `doctor`.
struct FileStatus: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case file, directory, other }

    let kind: Kind
    /// Permission bits only (`0o600`).
    let mode: UInt32
    let size: Int64

    /// The status of `path` (following symlinks), or `nil` with the reason it cannot be read.
    static func of(_ path: String) -> Result<FileStatus, FileStatusError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(FileStatusError(errno: errno)) }
        let format = UInt32(info.st_mode) & UInt32(S_IFMT)
        let kind: Kind =
            format == UInt32(S_IFREG) ? .file : format == UInt32(S_IFDIR) ? .directory : .other
        return .success(FileStatus(kind: kind, mode: UInt32(info.st_mode) & 0o7777, size: Int64(info.st_size)))
    }

    /// Whether this process may do `mode` (`R_OK`, `W_OK | X_OK`, …) on `path`.
    static func accessible(_ path: String, _ mode: Int32) -> Bool {
        access(path, mode) == 0
    }

    /// Whether group or others may read.
    var readableByOthers: Bool { mode & 0o044 != 0 }
    /// Whether others (not the group) have any access.
    var accessibleByWorld: Bool { mode & 0o007 != 0 }
    /// Whether group or others may write.
    var writableByOthers: Bool { mode & 0o022 != 0 }

    /// `0644`: how `ls` and `chmod` spell the mode.
    var octal: String { "0" + String(mode & 0o777, radix: 8) }
}

/// Why a path could not be examined.
struct FileStatusError: Error, Sendable, Equatable {
    let errno: Int32

    var doesNotExist: Bool { errno == ENOENT || errno == ENOTDIR }
    var message: String { String(cString: strerror(errno)) }
}
