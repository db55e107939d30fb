import Foundation
import TenantPilotCore

extension GraphSimulator {
    /// What the simulator serves and how.
    public struct Configuration: Sendable {
        /// Seeds every generated id and payload: one seed, one tenant, every run.
        public var seed: UInt64
        /// Simulated tenants by directory id (GUID).
        public var tenants: [String: SimulatedTenantSpec]
        /// Elements per page of every collection.
        public var pageSize: Int
        /// Added to every HTTP request (a `$batch` counts once).
        public var latency: Duration
        /// The client secret the token endpoint accepts.
        public var clientSecret: String
        /// The client id the token endpoint accepts; nil accepts any.
        public var clientID: String?
        /// `expires_in` of issued tokens, in seconds.
        public var tokenLifetime: Int
        /// The policy types served; nil for the registry the process would load.
        public var registry: PolicyTypeRegistry?

        public init(
            seed: UInt64 = 1, tenants: [String: SimulatedTenantSpec] = [:], pageSize: Int = 100,
            latency: Duration = .zero,
            clientSecret: String = "simulator-secret", clientID: String? = nil, tokenLifetime: Int = 3599,
            registry: PolicyTypeRegistry? = nil
        ) {
            self.seed = seed
            self.tenants = tenants
            self.pageSize = max(1, pageSize)
            self.latency = latency
            self.clientSecret = clientSecret
            self.clientID = clientID
            self.tokenLifetime = tokenLifetime
            self.registry = registry
        }
    }
}
