import Foundation
import TenantPilotCore

extension GraphSimulator {
    /// What the simulator serves and how.
    public struct Configuration: Sendable {
        /// Seeds every generated id and payload: one seed, one tenant, every run.
        public var seed: UInt64
        /// Simulated tenants by directory id (GUID).
        public var tenants: [String: SimulatedTenantSpec]
        /// The largest page of every collection (`$top` above it is cut to it), and of an
        /// expansion, beyond which it comes with `property@odata.nextLink`.
        public var pageSize: Int
        /// Elements per page when a listing sends no `$top`; nil for `pageSize`.
        public var defaultPageSize: Int?
        /// Answer every `$expand` on a listing with 400, as collections that do not support it do.
        public var refuseListExpansions: Bool
        /// Intune's request limits, enforced per tenant when set (docs/operations.md, "Graph's request limits"); nil serves everything.
        public var throttling: SimulatedThrottling?
        /// Added to every HTTP request (a `$batch` counts once).
        public var latency: Duration
        /// The client secret the token endpoint accepts.
        public var clientSecret: String
        /// The client id the token endpoint accepts; nil accepts any.
        public var clientID: String?
        /// PEM certificates registered on the app: the token endpoint accepts client assertions
        /// signed by their keys (docs/operations.md §2).
        public var clientCertificates: [String]
        /// `expires_in` of issued tokens, in seconds.
        public var tokenLifetime: Int
        /// The policy types served; nil for the registry the process would load.
        public var registry: PolicyTypeRegistry?

        public init(
            seed: UInt64 = 1, tenants: [String: SimulatedTenantSpec] = [:], pageSize: Int = 100,
            latency: Duration = .zero,
            clientSecret: String = "simulator-secret", clientID: String? = nil, tokenLifetime: Int = 3599,
            registry: PolicyTypeRegistry? = nil, defaultPageSize: Int? = nil, refuseListExpansions: Bool = false,
            throttling: SimulatedThrottling? = nil, clientCertificates: [String] = []
        ) {
            self.clientCertificates = clientCertificates
            self.seed = seed
            self.tenants = tenants
            self.pageSize = max(1, pageSize)
            self.defaultPageSize = defaultPageSize.map { max(1, $0) }
            self.refuseListExpansions = refuseListExpansions
            self.throttling = throttling
            self.latency = latency
            self.clientSecret = clientSecret
            self.clientID = clientID
            self.tokenLifetime = tokenLifetime
            self.registry = registry
        }
    }
}
