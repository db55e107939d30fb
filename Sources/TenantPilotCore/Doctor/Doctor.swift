import Foundation

/// `tenantpilot doctor`: checks that this machine can run backups — the store, its lock
/// folder, the policy-type registry, each tenant's credential (secret source, or certificate and
/// key), the schedules, whether cron seems to be dispatching, and (with `online`) each tenant's
/// token and one small Graph read per type of its schedules.
///
/// It reports; it never repairs. Opening the store migrates it (as every command does), and
/// nothing else is written. No secret's value ever appears in a check.
public struct Doctor: Sendable {
    /// Which rule chose the store (named when there is no store there).
    public let location: StoreLocation
    /// The database checked: a SQLite file, or PostgreSQL.
    public let database: StoreDatabase
    /// The store as the checks name it.
    public var databasePath: String { database.displayName }
    public let dependencies: Dependencies
    /// The Graph behind `--online` (`GraphProbe` in the CLI); `nil` reports those checks
    /// `skipped`.
    public let graph: (any GraphProbing)?
    /// How late a slot may be before `doctor` says cron seems not to be dispatching.
    public let dispatchGrace: TimeInterval

    public init(
        databasePath: String, dependencies: Dependencies, graph: (any GraphProbing)? = nil,
        dispatchGrace: TimeInterval = 5 * 60
    ) {
        self.init(
            location: StoreLocation(path: databasePath, source: .option), database: .sqlite(path: databasePath),
            dependencies: dependencies, graph: graph,
            dispatchGrace: dispatchGrace)
    }

    public init(
        location: StoreLocation, database: StoreDatabase, dependencies: Dependencies,
        graph: (any GraphProbing)? = nil,
        dispatchGrace: TimeInterval = 5 * 60
    ) {
        self.database = database
        self.location = location
        self.dependencies = dependencies
        self.graph = graph
        self.dispatchGrace = dispatchGrace
    }

    /// Runs every check, in order; never throws: a problem is a failed check.
    public func run(online: Bool) async -> DoctorReport {
        var checks: [DoctorCheck] = []
        let opened: (checks: [DoctorCheck], store: Store?)
        switch database {
        case .sqlite:
            opened = await checkStore()
            checks += opened.checks
            checks.append(checkLockFolder())
        case .postgreSQL(let postgreSQL):
            opened = await checkPostgreSQLStore(postgreSQL)
            checks += opened.checks
        }
        let registry = checkRegistry()
        checks.append(registry.check)
        guard let store = opened.store else {
            checks.append(.skipped("tenants", "the store is not available"))
            return DoctorReport(checks: checks)
        }
        let tenants = await checkTenants(store)
        checks += tenants.checks
        checks += await checkSchedules(store, registry: registry.registry)
        for tenant in tenants.tenants {
            let secret = checkSecret(of: tenant)
            checks.append(secret)
            if online {
                checks += await checkGraph(
                    of: tenant, secretUsable: secret.status != .fail, registry: registry.registry, store: store)
            }
        }
        try? await store.close()
        return DoctorReport(checks: checks)
    }

    // MARK: - Registry

    func checkRegistry() -> (check: DoctorCheck, registry: PolicyTypeRegistry?) {
        do {
            let registry = try PolicyTypeRegistry.load(environment: dependencies.environment)
            let origin =
                dependencies.environment[PolicyTypeRegistry.environmentVariable].map { !$0.isEmpty } == true
                ? "from \(PolicyTypeRegistry.environmentVariable)" : "bundled"
            return (.ok("registry", "\(registry.source) (\(origin), \(registry.types.count) policy types)"), registry)
        } catch {
            return (.fail("registry", error.message), nil)
        }
    }
}
