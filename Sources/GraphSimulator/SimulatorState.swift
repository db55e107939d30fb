import Foundation
import TenantPilotCore

/// Everything the simulator holds, behind one lock: tenants and their policies, issued tokens,
/// pending faults and request counts. Handlers run concurrently; each takes the lock briefly.
final class SimulatorState: @unchecked Sendable {
    let configuration: GraphSimulator.Configuration
    let types: [PolicyType]
    let generator: PayloadGenerator
    /// Checks client assertions against the registered certificates.
    let assertions: AssertionVerifier
    private let lock = NSLock()
    private var tenants: [String: [String: [SimulatedPolicy]]] = [:]
    private var specs: [String: SimulatedTenantSpec] = [:]
    private var tokens: [String: (tenant: String, expires: Date)] = [:]
    private var issued = 0
    private var faults: [FaultRule] = []
    private var counts = SimulatorRequestCounts()
    private var windows: [String: RequestWindow] = [:]
    private var added = 0
    private var mutations = 0
    private var base = "http://127.0.0.1"

    init(configuration: GraphSimulator.Configuration, types: [PolicyType]) {
        self.configuration = configuration
        self.types = types
        self.generator = PayloadGenerator(seed: configuration.seed, pageSize: configuration.pageSize)
        self.assertions = AssertionVerifier(pems: configuration.clientCertificates)
        for (tenant, spec) in configuration.tenants { addTenant(tenant, spec: spec) }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var baseURL: String {
        get { locked { base } }
        set { locked { base = newValue } }
    }

    func type(forKey key: String) -> PolicyType? { types.first { $0.key == key } }

    // MARK: - Tenants and policies

    func addTenant(_ tenant: String, spec: SimulatedTenantSpec) {
        var byType: [String: [SimulatedPolicy]] = [:]
        for type in types {
            byType[type.key] = (0..<spec.count(for: type.key)).map {
                generator.policy(tenant: tenant, type: type, index: $0, spec: spec)
            }
        }
        locked {
            tenants[tenant.lowercased()] = byType
            specs[tenant.lowercased()] = spec
        }
    }

    func hasTenant(_ tenant: String) -> Bool { locked { tenants[tenant.lowercased()] != nil } }

    func policies(tenant: String, type: String) -> [SimulatedPolicy]? {
        locked { tenants[tenant.lowercased()]?[type] }
    }

    func withPolicies<T>(
        tenant: String, type key: String, _ body: (inout [SimulatedPolicy], PolicyType, SimulatedTenantSpec) throws -> T
    ) throws -> T {
        guard let type = type(forKey: key) else {
            throw GraphSimulatorError("no policy type \(key) in the simulator's registry")
        }
        return try locked {
            let tenantKey = tenant.lowercased()
            guard var byType = tenants[tenantKey], let spec = specs[tenantKey] else {
                throw GraphSimulatorError("no simulated tenant \(tenant)")
            }
            var list = byType[key] ?? []
            let result = try body(&list, type, spec)
            byType[key] = list
            tenants[tenantKey] = byType
            return result
        }
    }

    /// A new index for policies added after generation, so their ids differ from generated ones.
    func nextAddedIndex() -> Int {
        locked {
            added += 1
            return 1_000_000 + added
        }
    }

    func nextMutation() -> Int {
        locked {
            mutations += 1
            return mutations
        }
    }

    // MARK: - Tokens

    func issueToken(tenant: String, now: Date) -> String {
        locked {
            issued += 1
            var random = SeededGenerator(seed: UInt64(issued) &* 0x9e37, tenant, String(now.timeIntervalSince1970))
            let token = "sim.\(issued).\(String(random.next(), radix: 36))\(String(random.next(), radix: 36))"
            tokens[token] = (tenant.lowercased(), now.addingTimeInterval(Double(configuration.tokenLifetime)))
            return token
        }
    }

    /// The tenant a bearer token was issued for, if it is valid now.
    func tenant(forToken token: String, now: Date) -> String? {
        locked {
            guard let entry = tokens[token], entry.expires > now else { return nil }
            return entry.tenant
        }
    }

    // MARK: - Faults

    func inject(_ rule: FaultRule) { locked { faults.append(rule) } }

    func clearFaults() { locked { faults.removeAll() } }

    /// The first pending fault that applies to a request, consuming one of its times.
    func takeFault(_ matches: (FaultTarget) -> Bool) -> SimulatedFault? {
        locked {
            guard let index = faults.firstIndex(where: { ($0.remaining ?? 1) > 0 && matches($0.target) }) else {
                return nil
            }
            let fault = faults[index].fault
            if let remaining = faults[index].remaining { faults[index].remaining = remaining - 1 }
            counts.faults += 1
            return fault
        }
    }

    // MARK: - Request limits

    /// Counts a Graph request against the tenant's limit (when `throttling` is set); a refusal
    /// when the limit was already spent. Refused requests count as well.
    func spendBudget(tenant: String, limit: RequestLimit, now: Date) -> BudgetRefusal? {
        guard let throttling = configuration.throttling else { return nil }
        let (count, window): (Int, Duration) =
            switch limit {
            case .intune: (throttling.requests, throttling.window)
            case .conditionalAccess: (throttling.conditionalAccessRequests, throttling.conditionalAccessWindow)
            }
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let key = "\(tenant.lowercased()) \(limit.rawValue)"
        let oldest = locked { windows[key, default: RequestWindow()].arrive(at: now, limit: count, window: seconds) }
        guard let oldest else { return nil }
        switch limit {
        case .intune: return BudgetRefusal(retryAfterSeconds: max(1, Int(oldest.timeIntervalSince(now).rounded(.up))))
        case .conditionalAccess: return BudgetRefusal(retryAfterSeconds: nil)
        }
    }

    // MARK: - Counts

    func count(_ update: (inout SimulatorRequestCounts) -> Void) { locked { update(&counts) } }

    var requestCounts: SimulatorRequestCounts { locked { counts } }

    func resetCounts() { locked { counts = SimulatorRequestCounts() } }
}
