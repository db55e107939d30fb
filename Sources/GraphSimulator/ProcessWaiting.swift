import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Process {
    /// Waits until the process has ended, checking every 2 ms. On Linux, Foundation's
    /// `waitUntilExit()` spins the run loop and keeps a CPU busy for the whole wait, which on
    /// a 2-core machine running tests that start many processes halves the machine. The
    /// end-to-end tests and the benchmarks (everything that starts processes links this
    /// library) wait with this instead.
    public func waitUntilExitWithoutSpinning() {
        while isRunning { usleep(2_000) }
    }
}
