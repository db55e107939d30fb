import FlyingFox
import Foundation
import TenantPilotCore

/// Graph writes as Intune accepts them: POST to a collection (create), PATCH/PUT/DELETE of a
/// policy, `assign` (replaces the assignments), one-by-one assignments, and the special actions
/// restores use (`scheduleActionsForRules`, `updateSettings`, `updateDefinitionValues`,
/// `targetApps`, `createInstance`, localized notification messages). A body carrying a read-only
/// property is refused with 400, as Graph does. What is written is what later reads return.
extension SimulatorHandler {
    /// The HTTP methods that write.
    static let writeMethods: Set<HTTPMethod> = [.POST, .PATCH, .PUT, .DELETE]

    func write(tenant: String, method: HTTPMethod, segments: [String], body: JSON?) -> Reply {
        let path = "/" + segments.joined(separator: "/")
        state.count { counts in
            counts.writes += 1
            counts.byPath["\(method.rawValue) \(path)", default: 0] += 1
        }
        if let refusal = spendWriteBudget(tenant: tenant, segments: segments) { return refusal }
        if let fault = state.takeFault({ target in
            if case .pathContaining(let text) = target { return path.contains(text) }
            return target == .anyGraphRequest
        }) {
            return faultReply(fault, tokenEndpoint: false)
        }
        let reply: Reply
        do {
            reply = try routeWrite(tenant: tenant, method: method, segments: segments, body: body)
        } catch let refused as Reply {
            reply = refused
        } catch {
            reply = Self.error(400, "BadRequest", "\(error)")
        }
        if reply.status == 400 { state.count { $0.refusedWrites += 1 } }
        return reply
    }

    // MARK: - Routing

    private func routeWrite(tenant: String, method: HTTPMethod, segments: [String], body: JSON?) throws -> Reply {
        let version = segments[0]
        let rest = Array(segments.dropFirst())
        // deviceManagement/templates/{templateId}/createInstance
        if method == .POST, rest.count == 4, rest[0] == "deviceManagement", rest[1] == "templates",
            rest[3] == "createInstance"
        {
            return try createIntent(tenant: tenant, templateId: rest[2], body: body)
        }
        guard let (type, source, tail) = writeTarget(version: version, rest: rest) else {
            throw Self.error(
                400, "BadRequest", "Resource not found for the segment in /\(segments.joined(separator: "/")).")
        }
        switch (method, tail.count) {
        case (.POST, 0): return try create(tenant: tenant, type: type, source: source, body: body)
        case (.PATCH, 1): return try update(tenant: tenant, type: type, id: tail[0], body: body, replacing: false)
        case (.PUT, 1):
            guard SimulatedWriteRules.replacedByPut.contains(type.key) else {
                throw Self.error(405, "MethodNotAllowed", "PUT is not supported on \(type.collectionPath); use PATCH.")
            }
            return try update(tenant: tenant, type: type, id: tail[0], body: body, replacing: true)
        case (.DELETE, 1):
            try state.deletePolicy(tenant: tenant, type: type.key, id: tail[0])
            return Reply(status: 204)
        case (.POST, 2): return try action(tail[1], tenant: tenant, type: type, id: tail[0], body: body)
        case (.PATCH, 3), (.DELETE, 3):
            return try element(
                method, tenant: tenant, type: type, id: tail[0], collection: tail[1], elementID: tail[2], body: body)
        default:
            throw Self.error(
                405, "MethodNotAllowed", "\(method.rawValue) is not supported on /\(segments.joined(separator: "/")).")
        }
    }

    /// The policy type a write's path addresses, the collection it goes through (the type's own
    /// or one of its typed collections), and the path after that collection.
    private func writeTarget(version: String, rest: [String]) -> (PolicyType, PolicySource, [String])? {
        for type in state.types where type.graphVersion == version {
            for source in type.sources {
                let collection = source.path.split(separator: "/").map(String.init)
                if rest.count >= collection.count, Array(rest.prefix(collection.count)) == collection {
                    return (type, source, Array(rest.dropFirst(collection.count)))
                }
            }
        }
        return nil
    }

    /// Graph's limits for a write, when the simulator enforces them: the write counts as a
    /// request of its type's limit and, for Intune, as one of the writes per window. Over either,
    /// 429 with `Retry-After`.
    private func spendWriteBudget(tenant: String, segments: [String]) -> Reply? {
        guard let throttling = state.configuration.throttling else { return nil }
        let rest = Array(segments.dropFirst())
        let type = writeTarget(version: segments[0], rest: rest)?.0
        let limit = type?.requestLimit ?? .intune
        let now = Date()
        var retryAfter: Int?? = nil
        if let refusal = state.spendBudget(tenant: tenant, limit: limit, now: now) {
            retryAfter = .some(refusal.retryAfterSeconds)
        } else if limit == .intune,
            let wait = state.writes.admit(tenant: tenant, limit: throttling.writes, window: throttling.window, now: now)
        {
            let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
            retryAfter = .some(max(1, Int(seconds.rounded(.up))))
        }
        guard let retryAfter else { return nil }
        state.count { counts in
            counts.throttled += 1
            counts.throttledWrites += 1
        }
        var reply = Self.error(
            429, "TooManyRequests", "Too many requests for this application and tenant; retry later.")
        if let seconds = retryAfter { reply.headers = ["Retry-After": String(seconds)] }
        return reply
    }

    // MARK: - Policies

    private func checked(_ body: JSON?, type: PolicyType, allowing allowed: Set<String> = []) throws -> [String: JSON] {
        guard case .object(let object)? = body else {
            throw Self.error(400, "BadRequest", "The request body must be a JSON object.")
        }
        let readOnly = SimulatedWriteRules.readOnly(for: type.key)
        for key in object.keys.sorted() {
            if readOnly.contains(key) {
                throw Self.error(
                    400, "BadRequest", "The property '\(key)' is read-only and cannot be set on \(type.collectionPath)."
                )
            }
            if SimulatedWriteRules.refusedInBody.contains(key), !allowed.contains(key) {
                throw Self.error(400, "BadRequest", "The property '\(key)' cannot be written in this request.")
            }
        }
        return object
    }

    private func create(tenant: String, type: PolicyType, source: PolicySource, body: JSON?) throws -> Reply {
        let object = try checked(body, type: type)
        if let odataType = source.odataType, object["@odata.type"]?.stringValue != odataType {
            throw Self.error(400, "BadRequest", "\(source.path) holds \(odataType) only.")
        }
        var id = state.writes.nextID(seed: state.configuration.seed, tenant: tenant)
        if object["@odata.type"]?.stringValue == "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration" {
            id += "_Windows10EnrollmentCompletionPageConfiguration"
        }
        var policy = SimulatedPolicy(id: id, fields: [:], collectionPath: source.odataType == nil ? nil : source.path)
        for subresource in source.subresources { policy.subresources[subresource.path] = [] }
        apply(object, to: &policy, type: type, tenant: tenant, replacing: true)
        let stamp = ISO8601.string(Date())
        policy.fields["createdDateTime"] = .string(stamp)
        policy.fields["lastModifiedDateTime"] = .string(stamp)
        if policy.fields["roleScopeTagIds"] == nil { policy.fields["roleScopeTagIds"] = .array([.string("0")]) }
        let created = policy
        try state.withPolicies(tenant: tenant, type: type.key) { policies, _, _ in policies.append(created) }
        return Reply(status: 201, body: created.detailed)
    }

    private func createIntent(tenant: String, templateId: String, body: JSON?) throws -> Reply {
        guard let type = state.type(forKey: "endpointSecurityIntent") else {
            throw Self.error(400, "BadRequest", "No intents in this simulator.")
        }
        var object = try checked(body, type: type, allowing: ["settingsDelta"])
        let settings = object.removeValue(forKey: "settingsDelta")?.arrayValue ?? []
        let id = state.writes.nextID(seed: state.configuration.seed, tenant: tenant)
        var policy = SimulatedPolicy(id: id, fields: [:])
        for subresource in type.subresources { policy.subresources[subresource.path] = [] }
        apply(object, to: &policy, type: type, tenant: tenant, replacing: true)
        policy.fields["templateId"] = .string(templateId)
        policy.fields["lastModifiedDateTime"] = .string(ISO8601.string(Date()))
        policy.subresources["settings"] = settings.map { newElement($0, tenant: tenant) }
        if policy.fields["roleScopeTagIds"] == nil { policy.fields["roleScopeTagIds"] = .array([.string("0")]) }
        let created = policy
        try state.withPolicies(tenant: tenant, type: type.key) { policies, _, _ in policies.append(created) }
        return Reply(status: 201, body: created.detailed)
    }

    private func update(tenant: String, type: PolicyType, id: String, body: JSON?, replacing: Bool) throws -> Reply {
        let object = try checked(body, type: type)
        try edit(tenant: tenant, type: type, id: id) { policy in
            if replacing {
                let kept = policy.fields.filter { $0.key == "createdDateTime" }
                policy.fields = kept
                policy.detailFields = [:]
            }
            apply(object, to: &policy, type: type, tenant: tenant, replacing: replacing)
        }
        return Reply(status: 204)
    }

    /// Lays a create's or update's properties over a policy: inline sub-resources become
    /// elements, properties only a GET by id returns go there.
    private func apply(
        _ object: [String: JSON], to policy: inout SimulatedPolicy, type: PolicyType, tenant: String, replacing: Bool
    ) {
        for (key, value) in object {
            switch (type.key, key) {
            case ("settingsCatalogPolicy", "settings"):
                let elements = value.arrayValue ?? []
                policy.subresources["settings"] = elements.enumerated().map { index, element in
                    var fields = element.objectValue ?? [:]
                    fields["id"] = .string(String(index))
                    return SimulatedElement(fields: fields)
                }
                policy.fields["settingCount"] = .int(Int64(elements.count))
            case ("deviceCompliancePolicy", "scheduledActionsForRule"):
                policy.subresources["scheduledActionsForRule"] = scheduledActions(value, tenant: tenant)
            case ("appProtectionPolicy", "apps"):
                policy.subresources["apps"] = (targetedApps(value).arrayValue ?? []).map {
                    SimulatedElement(fields: $0.objectValue ?? [:])
                }
            default:
                if SimulatedWriteRules.detailOnly.contains(key) {
                    policy.detailFields[key] = value
                } else {
                    policy.fields[key] = value
                }
            }
        }
    }

    // MARK: - Actions

    private func action(_ name: String, tenant: String, type: PolicyType, id: String, body: JSON?) throws -> Reply {
        guard case .object(let object)? = body else {
            throw Self.error(400, "BadRequest", "The request body must be a JSON object.")
        }
        switch (type.key, name) {
        case (_, "assign")
        where !SimulatedWriteRules.assignmentsOneByOne.contains(type.key)
            && type.sources.contains { $0.subresources.contains { $0.property == "assignments" } }:
            let key = SimulatedWriteRules.assignBodyKey[type.key] ?? "assignments"
            guard let list = object[key]?.arrayValue else {
                throw Self.error(
                    400, "BadRequest", "The assign request for \(type.collectionPath) must carry '\(key)'.")
            }
            var stored: [SimulatedElement] = []
            try edit(tenant: tenant, type: type, id: id) { policy in
                stored = list.enumerated().map { index, assignment in
                    assignmentElement(assignment, policyID: id, position: index)
                }
                policy.subresources["assignments"] = stored
            }
            return Reply(status: 200, body: .object(["value": .array(stored.map { $0.rendered(expanding: []) })]))
        case ("windowsAutopilotDeploymentProfile", "assignments"):
            var element = SimulatedElement(fields: [:])
            try edit(tenant: tenant, type: type, id: id) { policy in
                let count = policy.subresources["assignments"]?.count ?? 0
                element = assignmentElement(
                    .object(object), policyID: id, position: count + Int(Date().timeIntervalSince1970) % 100_000)
                policy.subresources["assignments", default: []].append(element)
            }
            return Reply(status: 201, body: element.rendered(expanding: []))
        case ("deviceCompliancePolicy", "scheduleActionsForRules"):
            guard let rules = object["deviceComplianceScheduledActionForRules"] else {
                throw Self.error(400, "BadRequest", "The request must carry 'deviceComplianceScheduledActionForRules'.")
            }
            try edit(tenant: tenant, type: type, id: id) { policy in
                policy.subresources["scheduledActionsForRule"] = scheduledActions(rules, tenant: tenant)
            }
            return Reply(status: 200)
        case ("endpointSecurityIntent", "updateSettings"):
            guard let settings = object["settings"]?.arrayValue else {
                throw Self.error(400, "BadRequest", "The request must carry 'settings'.")
            }
            try edit(tenant: tenant, type: type, id: id) { policy in
                var elements = policy.subresources["settings"] ?? []
                for setting in settings {
                    let definition = setting["definitionId"]?.stringValue
                    if let index = elements.firstIndex(where: { $0.fields["definitionId"]?.stringValue == definition })
                    {
                        var fields = setting.objectValue ?? [:]
                        fields["id"] = elements[index].fields["id"]
                        elements[index].fields = fields
                    } else {
                        elements.append(newElement(setting, tenant: tenant))
                    }
                }
                policy.subresources["settings"] = elements
            }
            return Reply(status: 204)
        case ("groupPolicyConfiguration", "updateDefinitionValues"):
            try definitionValues(object, tenant: tenant, policyID: id, type: type)
            return Reply(status: 204)
        case ("appProtectionPolicy", "targetApps"):
            guard let apps = object["apps"] else {
                throw Self.error(400, "BadRequest", "The request must carry 'apps'.")
            }
            try edit(tenant: tenant, type: type, id: id) { policy in
                policy.subresources["apps"] = (targetedApps(apps).arrayValue ?? []).map {
                    SimulatedElement(fields: $0.objectValue ?? [:])
                }
            }
            return Reply(status: 204)
        case ("notificationMessageTemplate", "localizedNotificationMessages"):
            var fields = object
            fields["id"] = .string(state.writes.nextID(seed: state.configuration.seed, tenant: tenant))
            fields["lastModifiedDateTime"] = .string(ISO8601.string(Date()))
            try edit(tenant: tenant, type: type, id: id) { policy in
                policy.subresources["localizedNotificationMessages", default: []].append(
                    SimulatedElement(fields: fields))
            }
            return Reply(status: 201, body: .object(fields))
        default:
            throw Self.error(400, "BadRequest", "No action \(name) on \(type.collectionPath).")
        }
    }

    private func element(
        _ method: HTTPMethod, tenant: String, type: PolicyType, id: String, collection: String, elementID: String,
        body: JSON?
    ) throws -> Reply {
        var found = false
        try edit(tenant: tenant, type: type, id: id) { policy in
            guard var elements = policy.subresources[collection],
                let index = elements.firstIndex(where: { $0.id == elementID })
            else { return }
            found = true
            if method == .DELETE {
                elements.remove(at: index)
            } else {
                for (key, value) in body?.objectValue ?? [:] where key != "id" { elements[index].fields[key] = value }
                elements[index].fields["lastModifiedDateTime"] = .string(ISO8601.string(Date()))
            }
            policy.subresources[collection] = elements
        }
        guard found else { throw Self.error(404, "ResourceNotFound", "Resource not found: \(elementID)") }
        return Reply(status: 204)
    }

    // MARK: - Elements

    private func edit(tenant: String, type: PolicyType, id: String, _ change: (inout SimulatedPolicy) -> Void) throws {
        var found = false
        try state.withPolicies(tenant: tenant, type: type.key) { policies, _, _ in
            guard let index = policies.firstIndex(where: { $0.id == id }) else { return }
            found = true
            change(&policies[index])
            policies[index].fields["lastModifiedDateTime"] = .string(ISO8601.string(Date()))
        }
        guard found else { throw Self.error(404, "ResourceNotFound", "Resource not found: \(id)") }
    }

    private func newElement(_ value: JSON, tenant: String) -> SimulatedElement {
        var fields = value.objectValue ?? [:]
        fields["id"] = .string(state.writes.nextID(seed: state.configuration.seed, tenant: tenant))
        return SimulatedElement(fields: fields)
    }

    /// An assignment as Graph stores it: id `{policy}_{group}` (or the target's kind).
    private func assignmentElement(_ value: JSON, policyID: String, position: Int) -> SimulatedElement {
        var fields = value.objectValue ?? [:]
        let target = value["target"]
        let suffix =
            target?["groupId"]?.stringValue
            ?? (target?["@odata.type"]?.stringValue ?? "target\(position)").replacingOccurrences(
                of: "#microsoft.graph.", with: "")
        fields["id"] = .string("\(policyID)_\(suffix)")
        return SimulatedElement(fields: fields)
    }

    private func scheduledActions(_ value: JSON, tenant: String) -> [SimulatedElement] {
        (value.arrayValue ?? []).map { rule in
            var fields = rule.objectValue ?? [:]
            let configurations = (fields.removeValue(forKey: "scheduledActionConfigurations")?.arrayValue ?? []).map {
                configuration in
                var object = configuration.objectValue ?? [:]
                object["id"] = .string(state.writes.nextID(seed: state.configuration.seed, tenant: tenant))
                return JSON.object(object)
            }
            fields["id"] = .string(state.writes.nextID(seed: state.configuration.seed, tenant: tenant))
            return SimulatedElement(
                fields: fields, expansions: ["scheduledActionConfigurations": .array(configurations)])
        }
    }

    /// Targeted apps with the id Graph derives from the app's identifier.
    private func targetedApps(_ value: JSON) -> JSON {
        .array(
            (value.arrayValue ?? []).map { app in
                var object = app.objectValue ?? [:]
                let identifier = app["mobileAppIdentifier"]
                if let package = identifier?["packageId"]?.stringValue {
                    object["id"] = .string("\(package).android")
                } else if let bundle = identifier?["bundleId"]?.stringValue {
                    object["id"] = .string("\(bundle).ios")
                } else if let windows = identifier?["windowsAppId"]?.stringValue {
                    object["id"] = .string("\(windows).windows")
                }
                return .object(object)
            })
    }

    // MARK: - Group policy definition values

    /// `updateDefinitionValues`: `added`, `updated` and `deletedIds`, values and presentations
    /// bound to the tenant-wide definition catalog by `@odata.bind`.
    private func definitionValues(_ body: [String: JSON], tenant: String, policyID: String, type: PolicyType) throws {
        let added = body["added"]?.arrayValue ?? []
        let updated = body["updated"]?.arrayValue ?? []
        let deleted = Set((body["deletedIds"]?.arrayValue ?? []).compactMap(\.stringValue))
        var resolved: [(value: JSON, definition: JSON, presentations: [(JSON, JSON)])] = []
        for value in added + updated {
            guard let bind = value["definition@odata.bind"]?.stringValue,
                let definitionID = Self.boundID(bind, "groupPolicyDefinitions"),
                let definition = catalogDefinition(definitionID)
            else {
                throw Self.error(400, "BadRequest", "A definition value must bind an existing groupPolicyDefinition.")
            }
            var presentations: [(JSON, JSON)] = []
            for presentation in value["presentationValues"]?.arrayValue ?? [] {
                guard let bind = presentation["presentation@odata.bind"]?.stringValue,
                    let presentationID = Self.boundID(bind, "presentations"),
                    let found = catalogPresentation(presentationID)
                else {
                    throw Self.error(400, "BadRequest", "A presentation value must bind an existing presentation.")
                }
                presentations.append((presentation, found))
            }
            resolved.append((value, definition, presentations))
        }
        let stamp = ISO8601.string(Date())
        try edit(tenant: tenant, type: type, id: policyID) { policy in
            var elements = policy.subresources["definitionValues"] ?? []
            elements.removeAll { element in element.id.map(deleted.contains) ?? false }
            for (value, definition, presentations) in resolved {
                let children = presentations.map { presentation, expansion -> SimulatedElement in
                    var fields = presentation.objectValue ?? [:]
                    fields["presentation@odata.bind"] = nil
                    if fields["id"] == nil {
                        fields["id"] = .string(state.writes.nextID(seed: state.configuration.seed, tenant: tenant))
                    }
                    fields["createdDateTime"] = .string(stamp)
                    fields["lastModifiedDateTime"] = .string(stamp)
                    return SimulatedElement(fields: fields, expansions: ["presentation": expansion])
                }
                if let id = value["id"]?.stringValue, let index = elements.firstIndex(where: { $0.id == id }) {
                    elements[index].fields["enabled"] = value["enabled"] ?? .bool(true)
                    elements[index].fields["lastModifiedDateTime"] = .string(stamp)
                    elements[index].children["presentationValues"] = children
                } else {
                    elements.append(
                        SimulatedElement(
                            fields: [
                                "id": .string(state.writes.nextID(seed: state.configuration.seed, tenant: tenant)),
                                "enabled": value["enabled"] ?? .bool(true), "configurationType": .string("policy"),
                                "createdDateTime": .string(stamp), "lastModifiedDateTime": .string(stamp),
                            ],
                            expansions: ["definition": definition], children: ["presentationValues": children]))
                }
            }
            policy.subresources["definitionValues"] = elements
        }
    }

    /// The id in `…/name('ID')`.
    static func boundID(_ bind: String, _ name: String) -> String? {
        guard let range = bind.range(of: "\(name)('", options: .backwards) else { return nil }
        let rest = bind[range.upperBound...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }

    /// A group policy definition of the tenant-wide catalog (Intune's built-in ADMX catalog is
    /// the same in every tenant).
    private func catalogDefinition(_ id: String) -> JSON? { state.writes.definition(id) }

    private func catalogPresentation(_ id: String) -> JSON? { state.writes.presentation(id) }

    // MARK: - Groups

    /// `groups/{id}` and `groups?$filter=displayName eq '…'`: each simulated tenant's groups.
    func directory(tenant: String, segments: [String], query: [String: String]) -> Reply? {
        guard segments.count >= 2, segments[1] == "groups" else { return nil }
        let groups = state.generator.groups(tenant: tenant)
        func render(_ group: (id: String, name: String)) -> JSON {
            .object(["id": .string(group.id), "displayName": .string(group.name)])
        }
        if segments.count == 3 {
            guard let group = groups.first(where: { $0.id == segments[2] }) else {
                return Self.error(404, "Request_ResourceNotFound", "Resource '\(segments[2])' does not exist.")
            }
            return Reply(status: 200, body: render(group))
        }
        guard segments.count == 2 else { return Self.error(400, "BadRequest", "Unsupported groups request.") }
        var selected = groups
        if let filter = query["$filter"] {
            let prefix = "displayName eq '"
            guard filter.hasPrefix(prefix), filter.hasSuffix("'") else {
                return Self.error(400, "BadRequest", "Unsupported filter: \(filter)")
            }
            let name = String(filter.dropFirst(prefix.count).dropLast()).replacingOccurrences(of: "''", with: "'")
            selected = groups.filter { $0.name == name }
        }
        return Reply(status: 200, body: .object(["value": .array(selected.map(render))]))
    }
}
