import FlyingFox
import FlyingSocks
import Foundation

/// A response body produced as it is sent: `prefix`, then `filler` repeated, then `suffix`,
/// `total` bytes in all, optionally `step` bytes at a time with a pause between them. A
/// gigabyte costs the simulator no memory, and a slow one costs it no thread.
struct GeneratedBody: AsyncBufferedSequence, AsyncBufferedIteratorProtocol {
    typealias Element = UInt8

    let prefix: [UInt8]
    let filler: [UInt8]
    let suffix: [UInt8]
    let total: Int
    /// Bytes sent per pause (with `pause`), else as many as asked for.
    let step: Int
    let pause: Duration?
    private var sent = 0

    init(prefix: [UInt8], filler: [UInt8] = [0x20], suffix: [UInt8], total: Int, step: Int = 1, pause: Duration? = nil)
    {
        self.prefix = prefix
        self.filler = filler.isEmpty ? [0x20] : filler
        self.suffix = suffix
        self.total = Swift.max(total, prefix.count + suffix.count)
        self.step = Swift.max(1, step)
        self.pause = pause
    }

    /// Exactly `bytes`, sent `step` at a time with `pause` between.
    init(dripping bytes: Data, step: Int, pause: Duration) {
        self.init(prefix: Array(bytes), suffix: [], total: bytes.count, step: step, pause: pause)
    }

    func makeAsyncIterator() -> GeneratedBody { self }

    mutating func next() async throws -> UInt8? {
        try await nextBuffer(suggested: 1)?.first
    }

    mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
        guard sent < total else { return nil }
        var size = Swift.min(Swift.max(1, count), total - sent, 1 << 16)
        if let pause {
            if sent > 0 { try await Task.sleep(for: pause) }
            size = Swift.min(step, total - sent)
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(size)
        let fillEnd = total - suffix.count
        for position in sent..<(sent + size) {
            if position < prefix.count {
                buffer.append(prefix[position])
            } else if position >= fillEnd {
                buffer.append(suffix[position - fillEnd])
            } else {
                buffer.append(filler[(position - prefix.count) % filler.count])
            }
        }
        sent += size
        return buffer
    }
}
