/// `doctor --online`: per tenant, a token from its authority and one read from its Graph.
extension Doctor {
    func checkGraph(of tenant: Tenant, secretUsable: Bool, registry: PolicyTypeRegistry?) async -> [DoctorCheck] {
        let tokenName = "token of tenant \(tenant.name)"
        let readName = "graph read of tenant \(tenant.name)"
        guard let graph else {
            return [.skipped("graph of tenant \(tenant.name)", "Graph client not available in this build")]
        }
        guard secretUsable else {
            return [.skipped(tokenName, "the tenant's secret is not available (see above)")]
        }
        switch await graph.acquireToken(for: tenant) {
        case .failed(let detail):
            return [.fail(tokenName, detail), .skipped(readName, "no token")]
        case .succeeded(let detail):
            let token = DoctorCheck.ok(tokenName, detail)
            guard let type = registry.flatMap({ $0.type(forKey: "deviceConfiguration") ?? $0.types.first }) else {
                return [token, .skipped(readName, "no policy-type registry")]
            }
            switch await graph.readFirstPage(of: type, for: tenant) {
            case .succeeded(let detail): return [token, .ok(readName, "\(type.key): \(detail)")]
            case .failed(let detail): return [token, .fail(readName, "\(type.key): \(detail)")]
            }
        }
    }
}
