import Foundation
import TenantPilotCore

/// Changes to simulated tenants between two backups, shared by the Swift API and the control
/// endpoints.
extension SimulatorState {
    /// The ids of a type's policies in a tenant, in listing order.
    func policyIDs(tenant: String, type: String) -> [String] {
        policies(tenant: tenant, type: type)?.map(\.id) ?? []
    }

    /// One policy as the simulator holds it.

    /// Adds a generated policy of `type`, with `fields` laid over it; returns its id.
    func addPolicy(tenant: String, type: String, fields: [String: JSONValue] = [:]) throws -> String {
        let index = nextAddedIndex()
        return try withPolicies(tenant: tenant, type: type) { policies, policyType, spec in
            var policy = generator.policy(tenant: tenant, type: policyType, index: index, spec: spec)
            policy.fields.merge(fields) { _, given in given }
            writes.registerDefinitions(of: [policy])
            policies.append(policy)
            return policy.id
        }
    }

    /// Changes a policy: `change` edits it in place; its `lastModifiedDateTime` moves on.
    func updatePolicy(tenant: String, type: String, id: String, _ change: (inout SimulatedPolicy) -> Void) throws {
        let mutation = nextMutation()
        try withPolicies(tenant: tenant, type: type) { policies, _, _ in
            guard let index = policies.firstIndex(where: { $0.id == id }) else {
                throw GraphSimulatorError("no \(type) policy \(id) in tenant \(tenant)")
            }
            change(&policies[index])
            policies[index].fields["lastModifiedDateTime"] = .string(
                ISO8601.string(Date(timeIntervalSince1970: 1_750_000_000 + Double(mutation) * 60)))
        }
    }

    /// Sets (or replaces) properties of a policy.
    func updatePolicy(tenant: String, type: String, id: String, fields: [String: JSONValue]) throws {
        try updatePolicy(tenant: tenant, type: type, id: id) { $0.fields.merge(fields) { _, given in given } }
    }

    /// Deletes a policy.
    func deletePolicy(tenant: String, type: String, id: String) throws {
        try withPolicies(tenant: tenant, type: type) { policies, _, _ in
            guard let index = policies.firstIndex(where: { $0.id == id }) else {
                throw GraphSimulatorError("no \(type) policy \(id) in tenant \(tenant)")
            }
            policies.remove(at: index)
        }
    }

    /// Changes, adds and deletes policies spread over the tenant's types (for "between two
    /// backups" scenarios): changed policies get a new description and one more assignment.
    func mutate(tenant: String, changed: Int, added: Int, deleted: Int) throws -> SimulatedMutation {
        guard hasTenant(tenant) else { throw GraphSimulatorError("no simulated tenant \(tenant)") }
        var report = SimulatedMutation()
        let keys = types.map(\.key)
        let populated = keys.filter { !(policies(tenant: tenant, type: $0) ?? []).isEmpty }
        for step in 0..<max(changed, 0) where !populated.isEmpty {
            let type = populated[step % populated.count]
            let ids = policyIDs(tenant: tenant, type: type)
            let id = ids[(step / populated.count) % ids.count]
            let mutation = nextMutation()
            try updatePolicy(tenant: tenant, type: type, id: id) { policy in
                policy.fields["description"] = .string("Changed by simulated edit \(mutation)")
                if var assignments = policy.subresources["assignments"] {
                    assignments.append(
                        SimulatedElement(fields: [
                            "id": .string("\(id)_edit\(mutation)"),
                            "target": .object([
                                "@odata.type": .string("#microsoft.graph.allDevicesAssignmentTarget"),
                                "deviceAndAppManagementAssignmentFilterType": .string("none"),
                            ]),
                        ]))
                    policy.subresources["assignments"] = assignments
                }
            }
            report.changed.append(.init(type: type, id: id))
        }
        for step in 0..<max(added, 0) where !keys.isEmpty {
            let type = keys[step % keys.count]
            report.added.append(.init(type: type, id: try addPolicy(tenant: tenant, type: type)))
        }
        let fresh = Set(report.added.map(\.id))
        for step in 0..<max(deleted, 0) {
            let candidates = keys.compactMap { key in
                policyIDs(tenant: tenant, type: key).last { !fresh.contains($0) }.map { (key, $0) }
            }
            guard !candidates.isEmpty else { break }
            let (type, id) = candidates[step % candidates.count]
            try deletePolicy(tenant: tenant, type: type, id: id)
            report.deleted.append(.init(type: type, id: id))
        }
        return report
    }
}
