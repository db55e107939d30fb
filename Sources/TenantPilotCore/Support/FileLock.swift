import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An advisory `flock(2)` lock on a file. The kernel releases it when the process dies, so a
/// killed run never leaves a schedule locked. Each acquisition opens its own descriptor: flock
/// is per open file description, so two acquisitions in one process also exclude each other.
public final class FileLock: @unchecked Sendable {
    public let path: String
    private var descriptor: Int32
    private let mutex = NSLock()

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock without waiting; `nil` when another holder has it.
    public static func tryAcquire(path: String) throws(TenantPilotError) -> FileLock? {
        try tryLock(path: path, operation: LOCK_EX)
    }

    /// Takes the lock shared without waiting: any number of shared holders at once, none while
    /// an exclusive holder has it; `nil` then.
    public static func tryAcquireShared(path: String) throws(TenantPilotError) -> FileLock? {
        try tryLock(path: path, operation: LOCK_SH)
    }

    private static func tryLock(path: String, operation: Int32) throws(TenantPilotError) -> FileLock? {
        let fd = try openLockFile(path)
        if flock(fd, operation | LOCK_NB) == 0 {
            return FileLock(path: path, descriptor: fd)
        }
        let error = errno
        close(fd)
        if error == EWOULDBLOCK { return nil }
        throw .failed("cannot lock \(path): \(String(cString: strerror(error)))")
    }

    /// Takes the lock, waiting for the current holder to release it.
    public static func acquire(path: String) throws(TenantPilotError) -> FileLock {
        let fd = try openLockFile(path)
        while flock(fd, LOCK_EX) != 0 {
            let error = errno
            if error == EINTR { continue }
            close(fd)
            throw .failed("cannot lock \(path): \(String(cString: strerror(error)))")
        }
        return FileLock(path: path, descriptor: fd)
    }

    /// Releases the lock (also done on deinit and, by the kernel, on process exit).
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        if descriptor >= 0 {
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { release() }

    private static func openLockFile(_ path: String) throws(TenantPilotError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            throw .failed("cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }
}
