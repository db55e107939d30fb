import Foundation
import TenantPilotCore

/// The simulator's own state for writes, behind one lock: the ids it hands out and each
/// tenant's recent writes for the write limit (Graph allows 100 writes per 20 s per app and
/// tenant and answers 429 beyond).
final class SimulatorWrites: @unchecked Sendable {
    private let lock = NSLock()
    private var created = 0
    private var recent: [String: [Date]] = [:]
    private var definitions: [String: JSON] = [:]
    private var presentations: [String: JSON] = [:]

    /// Remembers the group policy definitions (and presentations) that generated policies
    /// use: Intune's ADMX catalog is the same in every tenant and outlives any policy.
    func registerDefinitions(of policies: [SimulatedPolicy]) {
        lock.withLock {
            for policy in policies {
                for value in policy.subresources["definitionValues"] ?? [] {
                    if let definition = value.expansions["definition"], let id = definition["id"]?.stringValue {
                        definitions[id] = definition
                    }
                    for child in value.children["presentationValues"] ?? [] {
                        if let presentation = child.expansions["presentation"], let id = presentation["id"]?.stringValue
                        {
                            presentations[id] = presentation
                        }
                    }
                }
            }
        }
    }

    func definition(_ id: String) -> JSON? { lock.withLock { definitions[id] } }

    func presentation(_ id: String) -> JSON? { lock.withLock { presentations[id] } }

    /// A fresh id for something a write creates.
    func nextID(seed: UInt64, tenant: String) -> String {
        let number: Int = lock.withLock {
            created += 1
            return created
        }
        var random = SeededGenerator(seed: seed, tenant.lowercased(), "written", String(number))
        return random.guid()
    }

    /// Admits one write under `limit` writes per `window` per tenant, or says how long until one
    /// would be admitted.
    func admit(tenant: String, limit: Int, window: Duration, now: Date) -> Duration? {
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        return lock.withLock {
            var times = recent[tenant.lowercased(), default: []]
            times.removeAll { now.timeIntervalSince($0) >= seconds }
            if times.count >= limit, let oldest = times.first {
                recent[tenant.lowercased()] = times
                return .milliseconds(Int64(max(0.001, seconds - now.timeIntervalSince(oldest)) * 1000))
            }
            times.append(now)
            recent[tenant.lowercased()] = times
            return nil
        }
    }
}
