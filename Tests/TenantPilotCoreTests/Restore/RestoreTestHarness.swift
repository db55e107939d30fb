import Foundation
import GraphSimulator
import Testing

@testable import TenantPilotCore

/// A target tenant for cross-tenant restores: simulated with no policies, and groups of the
/// same names as every simulated tenant's but ids of its own.
let simulatedTargetTenant = "0f1e2d3c-4b5a-4978-8a9b-aabbccddeeff"

/// A store with the simulated tenants registered against a running simulator, and the
/// services a restore test drives: backups, restores, drift.
struct RestoreHarness {
    let folder = TemporaryDirectory()
    let store: Store
    let registry: PolicyTypeRegistry
    let source: Tenant
    let target: Tenant
    let simulator: GraphSimulator
    /// One pacer per tenant, shared by every client of it, as in a process.
    let pacers: [String: GraphPacer]

    init(_ simulator: GraphSimulator, limits: GraphRequestLimits = .graph) async throws {
        self.simulator = simulator
        pacers = [
            simulatedTenant: GraphPacer(limits: limits, timing: .continuous),
            simulatedTargetTenant: GraphPacer(limits: limits, timing: .continuous),
        ]
        store = try await Store.open(path: folder.file("tp.sqlite"))
        registry = try PolicyTypeRegistry.load(environment: [:])
        let url = simulator.baseURL.absoluteString
        let tenants = TenantService(store: store)
        source = try await tenants.add(
            try NewTenant(
                name: "contoso", tenantId: simulatedTenant, clientId: "client-app", secretEnv: "TP_TEST_SECRET",
                secretFile: nil,
                graphURL: url, authorityURL: url), actor: "admin", at: Date())
        target = try await tenants.add(
            try NewTenant(
                name: "fabrikam", tenantId: simulatedTargetTenant, clientId: "client-app", secretEnv: "TP_TEST_SECRET",
                secretFile: nil, graphURL: url, authorityURL: url), actor: "admin", at: Date())
    }

    static func configuration(_ spec: SimulatedTenantSpec, throttling: SimulatedThrottling? = nil)
        -> GraphSimulator.Configuration
    {
        GraphSimulator.Configuration(
            seed: 11, tenants: [simulatedTenant: spec, simulatedTargetTenant: .counts([:])], pageSize: 100,
            clientSecret: simulatorSecret,
            throttling: throttling)
    }

    /// The production client of a registered tenant, with sleeps that return at once.
    func client(_ tenant: Tenant, sleeps: RecordedSleeps = RecordedSleeps()) throws(TenantPilotError)
        -> URLSessionGraphClient
    {
        let dependencies = Dependencies(sleep: sleeps.sleep, environment: ["TP_TEST_SECRET": simulatorSecret])
        return URLSessionGraphClient(
            connection: try GraphConnection(tenant: tenant), dependencies: dependencies,
            pacer: pacers[tenant.tenantGuid])
    }

    var restores: RestoreService {
        RestoreService(store: store, registry: registry, clock: .system) {
            (tenant: Tenant) throws(TenantPilotError) -> any GraphWriting in
            try client(tenant)
        }
    }

    /// A backup of every registry type of `tenant`; its set id.
    func backup(_ tenant: Tenant) async throws -> Int64 {
        let service = BackupService(store: store) { (tenant: Tenant) throws(TenantPilotError) -> any GraphClient in
            try client(tenant)
        }
        let outcome = await service.backup(
            tenant: tenant, types: registry.types, scheduleId: nil, runId: nil, actor: "admin", at: Date(),
            progress: nil)
        #expect(
            outcome.fatal == nil && outcome.failedTypes.isEmpty,
            "\(String(describing: outcome.fatal)) \(outcome.failedTypes)")
        return try #require(outcome.backupSetId)
    }

    func plan(_ request: RestoreRequest) async throws -> RestorePlan {
        try await restores.plan(try await restores.scope(request))
    }

    func apply(_ request: RestoreRequest) async throws -> RestoreOutcome {
        try await applied(request).outcome
    }

    /// The plan `--apply` carried out, and what it did.
    func applied(_ request: RestoreRequest) async throws -> (plan: RestorePlan?, outcome: RestoreOutcome) {
        try await restores.apply(try await restores.scope(request), actor: "admin")
    }

    /// "type name: error" of each failed action.
    static func failures(_ applied: (plan: RestorePlan?, outcome: RestoreOutcome)) -> [String] {
        guard let plan = applied.plan else { return ["no plan: \(applied.outcome.run.errorMessage ?? "")"] }
        return zip(plan.actions, applied.outcome.results).compactMap { action, result in
            result.error.map { "\(action.type.key) \(action.displayName): \($0.message)" }
        }
    }

    /// A set's payloads by type and display name.
    func payloads(_ setId: Int64) async throws -> [String: JSONValue] {
        let sets = BackupSetStore(store: store)
        let detail = try #require(try await sets.set(id: setId))
        var result: [String: JSONValue] = [:]
        for item in detail.items {
            result[item.typeKey + "/" + item.displayName] = try await sets.payload(sha256: item.sha256)
        }
        return result
    }

    /// Every property in which `after` (a backup of the restored tenant) differs from `before`
    /// (the set restored), for each restorable policy of `before`, as the restore compares them.
    func differences(restored before: Int64, now after: Int64) async throws -> [String: [PropertyChange]] {
        let old = try await payloads(before)
        let new = try await payloads(after)
        var found: [String: [PropertyChange]] = [:]
        for (key, payload) in old {
            let typeKey = String(key.split(separator: "/", maxSplits: 1)[0])
            guard let type = registry.type(forKey: typeKey), let recipe = type.restore, recipe.restorable,
                !recipe.skip.contains(where: { payload[$0.property] == $0.equals })
            else { continue }
            guard let restored = new[key] else {
                found[key] = [PropertyChange(path: "(policy)", old: .string("present"), new: .null)]
                continue
            }
            let comparison = RestorePlanner.comparison(
                for: type, recipe: recipe, backup: payload, includeAssignments: true)
            var changes = comparison.changes(from: restored, to: payload)
            // Created, not copied: what the restore sets on purpose.
            changes.removeAll { recipe.createWith[$0.property] != nil }
            if !changes.isEmpty { found[key] = changes }
        }
        return found
    }
}
