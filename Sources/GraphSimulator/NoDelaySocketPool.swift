import FlyingFox
import FlyingSocks
import Foundation

/// FlyingFox's socket pool, setting TCP_NODELAY on every socket it waits on (the listening
/// socket, whose accepted sockets inherit it on Linux, and each connection).
///
/// FlyingFox writes a response's head and body in two writes. With Nagle's algorithm on, the body
/// waits for the client to acknowledge the head, and a client on a kept-alive connection delays
/// that acknowledgement by 40 ms: every simulated request took 20 ms + ~45 ms instead of the
/// configured latency (measured: a plain GET over a reused connection, 42 ms at --latency-ms 0).
/// Graph's own servers do not add such a delay, so neither may the simulator.
struct NoDelaySocketPool: AsyncSocketPool {
    let base: any AsyncSocketPool

    func prepare() async throws {
        try await base.prepare()
    }

    func run() async throws {
        try await base.run()
    }

    func suspendSocket(_ socket: Socket, untilReadyFor events: Socket.Events) async throws {
        // Fails harmlessly on a socket that is not TCP; setting it again is a no-op.
        try? socket.setValue(true, for: BoolSocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_NODELAY)))
        try await base.suspendSocket(socket, untilReadyFor: events)
    }
}
