import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension URLSessionGraphClient {
    /// Sends one Graph request within the tenant's budget: waits until the pacer admits `cost`,
    /// sends, and hands the units back when the response is in. A 429 holds back every request
    /// of its limit for its `Retry-After` (or a second, when Graph gives none).
    ///
    /// Every Graph request goes through here, reads and writes alike; a write passes
    /// `GraphRequestCost.write(type.requestLimit)`, so that it counts against the 100 writes
    /// per window as well. Token requests do not: they go to the authority, not to Graph.
    func sendPaced(_ request: URLRequest, kind: RequestKind, what: String, cost: GraphRequestCost) async -> Result<
        HTTPReply, GraphFailure
    > {
        let observer = budgetObserver.current
        let ticket = await pacer.admit(cost, onWait: observer)
        counts.withLock { $0.budgetUnits += cost.requests }
        let result = await send(request, kind: kind, what: what)
        await pacer.release(ticket)
        if case .success(let reply) = result, reply.status == 429 {
            counts.withLock { $0.throttled += 1 }
            await pacer.holdOff(
                cost.limit, for: min(retryAfter(reply.retryAfter) ?? .seconds(1), options.retry.maxDelay))
        }
        return result
    }

    /// Tells `observer` how long requests wait for Graph's request budget, and nil once they go.
    public func observeBudgetWaits(_ observer: @escaping @Sendable (Duration?) -> Void) {
        budgetObserver.withLock { $0 = observer }
    }
}
