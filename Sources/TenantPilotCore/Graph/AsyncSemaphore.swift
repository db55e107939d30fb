/// Bounds how many requests one client has in flight. Waiters are served first come, first
/// served. Waiting is cancellation-aware: a cancelled waiter leaves the queue at once (and gets
/// no permit), so a run whose other types were cancelled after a fatal error, or whose deadline
/// passed, never waits for a permit that may not come.
actor AsyncSemaphore {
    private var available: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID = 0

    init(permits: Int) {
        available = max(1, permits)
    }

    /// Takes a permit; false, without one, when the calling task is (or gets) cancelled.
    func acquire() async -> Bool {
        if Task.isCancelled { return false }
        if available > 0 {
            available -= 1
            return true
        }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives a permit back (only after an `acquire` that returned true).
    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }
}
