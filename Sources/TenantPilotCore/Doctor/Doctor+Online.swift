/// `doctor --online`: per tenant, a token from its authority and one small read per policy type
/// of its schedules (each type's first policy), so that a missing Graph permission shows up
/// here, named, rather than in tonight's run.
extension Doctor {
    func checkGraph(of tenant: Tenant, secretUsable: Bool, registry: PolicyTypeRegistry?, store: Store) async
        -> [DoctorCheck]
    {
        let tokenName = "token of tenant \(tenant.name)"
        let readName = "graph read of tenant \(tenant.name)"
        guard let graph else {
            return [.skipped("graph of tenant \(tenant.name)", "Graph client not available in this build")]
        }
        guard secretUsable else {
            return [.skipped(tokenName, "the tenant's credential is not available (see above)")]
        }
        switch await graph.acquireToken(for: tenant) {
        case .failed(let detail):
            return [.fail(tokenName, detail), .skipped(readName, "no token")]
        case .succeeded(let detail):
            var checks = [DoctorCheck.ok(tokenName, detail)]
            guard let registry else { return checks + [.skipped(readName, "no policy-type registry")] }
            let types = await Self.typesToRead(of: tenant, registry: registry, store: store)
            guard !types.isEmpty else { return checks + [.skipped(readName, "no policy type to read")] }
            for type in types {
                switch await graph.readFirstPage(of: type, for: tenant) {
                case .succeeded(let detail): checks.append(.ok(readName, "\(type.key): \(detail)"))
                case .failed(let detail): checks.append(.fail(readName, "\(type.key): \(detail)"))
                }
            }
            return checks
        }
    }

    /// Every known type of the tenant's schedules, in registry order; a tenant without schedules
    /// is read for one type (device configurations) to prove the token works for Graph.
    static func typesToRead(of tenant: Tenant, registry: PolicyTypeRegistry, store: Store) async -> [PolicyType] {
        let tenantId = tenant.rowID
        let lists = (try? await store.read { tx in try tx.schedules.activePolicyTypes(tenantId: tenantId) }) ?? []
        let keys = Set(lists.joined())
        if keys.isEmpty {
            return [registry.type(forKey: "deviceConfiguration") ?? registry.types[0]]
        }
        return registry.types.filter { keys.contains($0.key) }
    }
}
