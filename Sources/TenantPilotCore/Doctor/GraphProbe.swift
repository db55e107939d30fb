import Foundation

/// The real `GraphProbing` behind `doctor --online`: one `URLSessionGraphClient` per tenant,
/// asked for a token and for the first policy of each collection it reads. A probe answers quickly: it
/// retries throttling once, with short waits, and never for longer than a few seconds. The
/// read reuses the token of the token check (one sign-in per tenant).
public final class GraphProbe: GraphProbing {
    public let dependencies: Dependencies
    private let clients = Locked([String: URLSessionGraphClient]())

    public init(dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    static let options = GraphClientOptions(
        concurrency: 1,
        retry: RetryPolicy(
            maxAttempts: 2, maxOtherAttempts: 1, baseDelay: .milliseconds(250), maxDelay: .seconds(2),
            totalBudget: .seconds(4)),
        requestTimeout: .seconds(20))

    public func acquireToken(for tenant: Tenant) async -> GraphProbeOutcome {
        let client: URLSessionGraphClient
        do {
            client = try self.client(for: tenant)
        } catch {
            return .failed(error.message)
        }
        switch await client.accessToken() {
        case .success: return .succeeded("token issued by \(client.connection.authorityURL.host ?? "the authority")")
        case .failure(let error): return .failed(error.message)
        }
    }

    public func readFirstPage(of type: PolicyType, for tenant: Tenant) async -> GraphProbeOutcome {
        let client: URLSessionGraphClient
        let url: URL
        do {
            client = try self.client(for: tenant)
            // One policy is enough to prove the permission; `$top` only where the registry says
            // the collection takes it.
            let relative = URLSessionGraphClient.relative(type.collectionPath, top: type.listTop == nil ? nil : 1)
            url = try client.graphURL(version: type.graphVersion, path: relative)
        } catch {
            return .failed(error.message)
        }
        switch await client.getJSON(url, what: "\(type.label) (\(type.collectionPath))", limit: type.requestLimit) {
        case .success(let body):
            let count = body["value"]?.arrayValue?.count ?? 0
            let more = body["@odata.nextLink"] != nil ? ", more follow" : ""
            return .succeeded("read \(count) \(count == 1 ? "policy" : "policies")\(more)")
        case .failure(let error):
            return .failed(URLSessionGraphClient.naming(permissions: type, in: error).message)
        }
    }

    /// The tenant's client, made once, so the read reuses the token check's token.
    private func client(for tenant: Tenant) throws(TenantPilotError) -> URLSessionGraphClient {
        if let client = clients.current[tenant.name] { return client }
        let client = URLSessionGraphClient(
            connection: try GraphConnection(tenant: tenant), dependencies: dependencies, options: Self.options)
        clients.withLock { $0[tenant.name] = client }
        return client
    }
}
