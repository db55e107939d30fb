import Foundation

/// Builds the plan of `restore`: reads the live target as a backup would (nothing stored),
/// matches every policy of the set to the target, maps its references into the target and
/// compares it property by property.
public struct RestorePlanner: Sendable {
    public let registry: PolicyTypeRegistry
    /// Types read from the target at once.
    public let typeConcurrency: Int

    public init(registry: PolicyTypeRegistry, typeConcurrency: Int = BackupService.defaultTypeConcurrency) {
        self.registry = registry
        self.typeConcurrency = max(1, typeConcurrency)
    }

    /// What the target holds of one type: its policies, or why they could not be read.
    enum TargetRead: Sendable {
        case policies([LivePolicy])
        case failed(TenantPilotError)

        var policies: [LivePolicy]? {
            if case .policies(let list) = self { return list }
            return nil
        }
    }

    /// The plan for `scope`. `source` reads the tenant the set came from (group names for a
    /// restore into another tenant); nil when that tenant is gone or is the target.
    public func plan(
        _ scope: RestoreScope, target client: any GraphWriting, source: (any GraphWriting)?
    ) async throws(TenantPilotError) -> RestorePlan {
        let restorable = scope.types.filter { $0.restore?.restorable == true }
        let restorableKeys = Set(restorable.map(\.key))
        var referenceKeys: Set<String> = [ReferenceMap.scopeTagType]
        for type in restorable {
            if scope.includeAssignments && type.restore?.assignments != nil {
                referenceKeys.insert(ReferenceMap.filterType)
            }
            for reference in type.restore?.references ?? [] { referenceKeys.insert(reference.type) }
        }
        let listedOnly = registry.types.filter { referenceKeys.contains($0.key) && !restorableKeys.contains($0.key) }

        let reads = await readTarget(restorable, listedOnly: listedOnly, client: client)
        for (_, read) in reads {
            if case .failed(let error) = read, BackupService.isFatal(error) { throw error }
        }

        // 1. Match every policy of the set.
        var actions: [RestorePlan.Action] = []
        var claimed: [String: [String: String]] = [:]
        let targetName = scope.target.name
        for (record, payload) in scope.items {
            guard let type = registry.type(forKey: record.typeKey) else { continue }
            func skip(_ reason: String) {
                actions.append(
                    RestorePlan.Action(
                        kind: .skip, type: type, graphId: record.graphId, targetId: nil,
                        displayName: record.displayName,
                        warnings: [reason], backup: payload))
            }
            guard let recipe = type.restore, recipe.restorable else {
                skip(
                    "not restorable: "
                        + (type.restore?.reason ?? "the policy-type registry has no restore recipe for \(type.key)"))
                continue
            }
            if let rule = recipe.skip.first(where: { payload[$0.property] == $0.equals }) {
                skip("not restorable: \(rule.reason)")
                continue
            }
            guard let live = reads[type.key]?.policies else {
                let message: String
                if case .failed(let error)? = reads[type.key] { message = error.message } else { message = "not read" }
                skip("the target's \(type.label.lowercased()) policies could not be read: \(message)")
                continue
            }
            let matcher = RestoreMatcher(live: live, sameTenant: !scope.crossTenant)
            switch matcher.match(graphId: record.graphId, displayName: record.displayName) {
            case .none:
                actions.append(
                    RestorePlan.Action(
                        kind: .create, type: type, graphId: record.graphId, targetId: nil,
                        displayName: record.displayName,
                        backup: payload))
            case .ambiguous(let count):
                skip(
                    "ambiguous: \(count) \(type.label.lowercased()) policies in \(targetName) are named \"\(record.displayName)\"; none was chosen"
                )
            case .matched(let policy):
                if let other = claimed[type.key]?[policy.id] {
                    skip("matches the same policy in \(targetName) (\(policy.id)) as the set's policy \(other)")
                    continue
                }
                claimed[type.key, default: [:]][policy.id] = record.graphId
                guard policy.payload != nil else {
                    skip("the target's policy \(policy.id) could not be read whole")
                    continue
                }
                actions.append(
                    RestorePlan.Action(
                        kind: .unchanged, type: type, graphId: record.graphId, targetId: policy.id,
                        displayName: record.displayName, backup: payload, live: policy.payload))
            }
        }
        for key in scope.unknownTypes {
            for (record, _) in scope.items where record.typeKey == key {
                actions.append(
                    RestorePlan.Action(
                        kind: .skip, type: PolicyType(key: key, label: key, graphVersion: "beta", collectionPath: key),
                        graphId: record.graphId, targetId: nil, displayName: record.displayName,
                        warnings: ["not restorable: the policy-type registry no longer knows the type \(key)"]))
            }
        }

        // 2. References into the target.
        let references = await referenceMap(
            scope, actions: actions, reads: reads, referenceKeys: referenceKeys, client: client, source: source)

        // 3. Compare what was matched; warn about what a write cannot carry.
        for index in actions.indices {
            var action = actions[index]
            guard let recipe = action.type.restore, let backup = action.backup, action.kind != .skip else { continue }
            let mapped = references.mapped(backup, recipe: recipe, includeAssignments: scope.includeAssignments)
            action.warnings += mapped.warnings
            if action.kind == .unchanged, let live = action.live {
                let comparison = Self.comparison(
                    for: action.type, recipe: recipe, backup: backup, includeAssignments: scope.includeAssignments)
                action.changes = comparison.changes(from: live, to: mapped.payload)
                if !action.changes.isEmpty { action.kind = .update }
                let fixed = PayloadComparison(type: nil).changes(
                    from: Self.only(recipe.createOnly, of: live), to: Self.only(recipe.createOnly, of: mapped.payload))
                for change in fixed {
                    action.warnings.append(
                        "\(change.path) differs (\(PropertyChange.short(change.old, 40)) in the target) but cannot be changed once a policy exists"
                    )
                }
            }
            if action.kind == .create {
                for (property, value) in recipe.createWith.sorted(by: { $0.key < $1.key })
                where backup[property] != value {
                    let was = backup[property].map { PropertyChange.short($0, 40) } ?? "nothing"
                    action.warnings.append(
                        "created with \(property) \(PropertyChange.short(value, 40)) (the backup has \(was)); change it in the target once it is checked"
                    )
                }
            }
            if action.kind == .create || action.kind == .update {
                action.warnings += Self.secretWarnings(recipe, backup)
                for (property, write) in recipe.subresources.sorted(by: { $0.key < $1.key }) {
                    if let never = write.never, let elements = backup[property]?.arrayValue, !elements.isEmpty {
                        action.warnings.append("\(property): \(never)")
                    }
                }
                if scope.crossTenant, let warning = recipe.crossTenantWarning { action.warnings.append(warning) }
            }
            actions[index] = action
        }

        // 4. With --prune: what the target has of a restored type and the set does not.
        if scope.prune {
            for type in restorable {
                guard let recipe = type.restore, let live = reads[type.key]?.policies else { continue }
                for policy in live where claimed[type.key]?[policy.id] == nil {
                    if let payload = policy.payload, recipe.skip.contains(where: { payload[$0.property] == $0.equals })
                    {
                        continue
                    }
                    actions.append(
                        RestorePlan.Action(
                            kind: .delete, type: type, graphId: policy.id, targetId: policy.id,
                            displayName: policy.displayName,
                            live: policy.payload))
                }
            }
        }

        return RestorePlan(
            setId: scope.setId, target: scope.target, source: scope.source,
            actions: Self.ordered(actions, registry: registry),
            includesAssignments: scope.includeAssignments, references: references)
    }

    /// The comparison of a restore: what Graph computes itself, what is kept from the target,
    /// what is never written, and assignments when they are not restored, are left out.
    static func comparison(for type: PolicyType, recipe: RestoreRecipe, backup: JSONValue, includeAssignments: Bool)
        -> PayloadComparison
    {
        var ignored = Set(recipe.readOnly + recipe.createOnly + recipe.keepTargetOnUpdate)
        for (property, write) in recipe.subresources where write.never != nil { ignored.insert(property) }
        if !includeAssignments || recipe.assignments == nil || backup[ReferenceMap.assignmentsProperty] == nil {
            ignored.insert(ReferenceMap.assignmentsProperty)
        }
        return PayloadComparison(type: type, ignoring: ignored)
    }

    /// Apply order: types by their recipe's order then registry position; deletes last, in reverse.
    static func ordered(_ actions: [RestorePlan.Action], registry: PolicyTypeRegistry) -> [RestorePlan.Action] {
        let position = Dictionary(registry.keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func rank(_ action: RestorePlan.Action) -> (Int, Int) {
            (action.type.restore?.order ?? 50, position[action.type.key] ?? Int.max)
        }
        let ascending: (RestorePlan.Action, RestorePlan.Action) -> Bool = { a, b in
            let (ra, rb) = (rank(a), rank(b))
            if ra != rb { return ra < rb }
            return (a.displayName, a.graphId) < (b.displayName, b.graphId)
        }
        let writes = actions.filter { $0.kind != .delete }.sorted(by: ascending)
        let deletes = actions.filter { $0.kind == .delete }.sorted(by: ascending).reversed()
        return writes + deletes
    }

    static func only(_ properties: [String], of payload: JSONValue) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: properties.compactMap { key in payload[key].map { (key, $0) } }))
    }

    static func secretWarnings(_ recipe: RestoreRecipe, _ payload: JSONValue) -> [String] {
        var warnings: [String] = []
        for rule in recipe.secrets {
            if let property = rule.property, let value = payload[property], value != .null {
                warnings.append("\(property): \(rule.label)")
            }
            if let array = rule.array, let flag = rule.flag, let elements = payload[array]?.arrayValue {
                let flagged = elements.filter { $0[flag] == .bool(true) }.count
                if flagged > 0 { warnings.append("\(array): \(flagged) × \(rule.label)") }
            }
        }
        return warnings
    }

    // MARK: - Reading the target

    /// Captures every restorable type whole and lists the types only referenced, a few at a time.
    func readTarget(_ types: [PolicyType], listedOnly: [PolicyType], client: any GraphWriting) async -> [String:
        TargetRead]
    {
        var reads: [String: TargetRead] = [:]
        let jobs = types.map { ($0, true) } + listedOnly.map { ($0, false) }
        let concurrency = typeConcurrency
        await withTaskGroup(of: (String, TargetRead).self) { group in
            var pending = jobs[...]
            func startNext() {
                guard let (type, whole) = pending.popFirst() else { return }
                group.addTask { (type.key, await Self.read(type, whole: whole, client: client)) }
            }
            for _ in 0..<concurrency { startNext() }
            while let (key, read) = await group.next() {
                reads[key] = read
                startNext()
            }
        }
        return reads
    }

    static func read(_ type: PolicyType, whole: Bool, client: any GraphWriting) async -> TargetRead {
        if !whole {
            do {
                let listed = try await client.listPolicies(of: type)
                return .policies(
                    listed.compactMap { policy in
                        PolicyIdentity.graphId(of: policy).map {
                            LivePolicy(id: $0, displayName: PolicyIdentity.displayName(of: policy), payload: policy)
                        }
                    })
            } catch {
                return .failed(error)
            }
        }
        let capture = await BackupService.capture(type, client: client)
        if let error = capture.error { return .failed(error) }
        let payloads = Dictionary(
            capture.items.map { ($0.graphId, $0.payload) }, uniquingKeysWith: { first, _ in first })
        return .policies(
            capture.listed.compactMap { policy in
                guard let id = PolicyIdentity.graphId(of: policy) else { return nil }
                return LivePolicy(
                    id: id,
                    displayName: payloads[id].map(PolicyIdentity.displayName) ?? PolicyIdentity.displayName(of: policy),
                    payload: payloads[id])
            })
    }

    // MARK: - References

    func referenceMap(
        _ scope: RestoreScope, actions: [RestorePlan.Action], reads: [String: TargetRead], referenceKeys: Set<String>,
        client: any GraphWriting, source: (any GraphWriting)?
    ) async -> ReferenceMap {
        var map = ReferenceMap()
        let targetName = scope.target.name
        let payloads = actions.filter { $0.kind != .skip }.compactMap { action in
            action.backup.map { (action.type, $0) }
        }

        // Ids each payload names, by the type of what they name.
        var referenced: [String: Set<String>] = [:]
        var groupIds: Set<String> = []
        for (type, payload) in payloads {
            guard let recipe = type.restore else { continue }
            for tag in payload[ReferenceMap.scopeTagsProperty]?.arrayValue ?? [] {
                if let id = tag.stringValue, id != ReferenceMap.defaultScopeTag {
                    referenced[ReferenceMap.scopeTagType, default: []].insert(id)
                }
            }
            if scope.includeAssignments, recipe.assignments != nil {
                for assignment in payload[ReferenceMap.assignmentsProperty]?.arrayValue ?? [] {
                    if let id = assignment["target"]?[ReferenceMap.filterIdField]?.stringValue, !id.isEmpty {
                        referenced[ReferenceMap.filterType, default: []].insert(id)
                    }
                    if let id = assignment["target"]?[ReferenceMap.groupIdField]?.stringValue, !id.isEmpty {
                        groupIds.insert(id)
                    }
                }
            }
            for reference in recipe.references {
                for id in Self.values(at: reference.path, in: payload) where !reference.keep.contains(id) {
                    referenced[reference.type, default: []].insert(id)
                }
            }
        }

        for (key, ids) in referenced.sorted(by: { $0.key < $1.key }) {
            let label = registry.type(forKey: key)?.label.lowercased() ?? key
            var names: [String: String] = [:]
            for item in scope.allItems where item.typeKey == key { names[item.graphId] = item.displayName }
            if scope.crossTenant, names.isEmpty, let source, let type = registry.type(forKey: key),
                case .policies(let listed) = await Self.read(type, whole: false, client: source)
            {
                for policy in listed { names[policy.id] = policy.displayName }
            }
            let created = Set(actions.filter { $0.kind == .create && $0.type.key == key }.map(\.graphId))
            let live = reads[key]?.policies ?? []
            let liveIds = Set(live.map(\.id))
            let liveByName = Dictionary(grouping: live, by: \.displayName)
            for id in ids {
                if let name = names[id] { map.names[id] = name }
                let target: ReferenceMap.Target
                if !scope.crossTenant, liveIds.contains(id) {
                    target = .id(id)
                } else if reads[key]?.policies == nil {
                    target = .missing("the target's \(label)s could not be read")
                } else if let name = names[id] {
                    let candidates = liveByName[name] ?? []
                    if candidates.count == 1 {
                        target = .id(candidates[0].id)
                    } else if candidates.count > 1 {
                        target = .missing("\(candidates.count) \(label)s in \(targetName) are named \"\(name)\"")
                    } else if created.contains(id) {
                        target = .created(type: key, sourceId: id)
                    } else {
                        target = .missing("no \(label) named \"\(name)\" in \(targetName)")
                    }
                } else {
                    target = .missing("not in \(targetName), and its name is unknown (the set holds no \(label)s)")
                }
                map.objects[key, default: [:]][id] = target
            }
        }

        if scope.crossTenant, !groupIds.isEmpty {
            await mapGroups(groupIds.sorted(), into: &map, targetName: targetName, client: client, source: source)
        }
        return map
    }

    /// Groups of another tenant, by display name: looked up by id in the source, by name in the target.
    func mapGroups(
        _ ids: [String], into map: inout ReferenceMap, targetName: String, client: any GraphWriting,
        source: (any GraphWriting)?
    ) async {
        guard let directory = registry.groups else {
            for id in ids {
                map.groups[id] = .missing("the policy-type registry names no group directory to look groups up in")
            }
            return
        }
        guard let source else {
            for id in ids {
                map.groups[id] = .missing(
                    "the source tenant cannot be read (removed, or its credential unreadable), so the group's name is unknown"
                )
            }
            return
        }
        let base = directory.collectionPath
        let byId = await source.read(
            ids.map { "\(base)/\(URLSessionGraphClient.pathSegment($0))?$select=id,displayName" },
            version: directory.graphVersion)
        var names: [String: String] = [:]
        for (id, result) in zip(ids, byId) {
            switch result {
            case .success(let group):
                if let name = group["displayName"]?.stringValue {
                    names[id] = name
                    map.names[id] = name
                } else {
                    map.groups[id] = .missing("the source tenant gave the group no display name")
                }
            case .failure(let error):
                map.groups[id] = .missing(
                    error.code == .graphNotFound
                        ? "the group no longer exists in the source tenant"
                        : "its name could not be read: \(error.message)")
            }
        }
        let distinct = Array(Set(names.values)).sorted()
        let found = await client.read(
            distinct.map { name in
                let filter = "displayName eq '\(name.replacingOccurrences(of: "'", with: "''"))'"
                return "\(base)?$filter=\(URLSessionGraphClient.queryValue(filter))&$select=id,displayName"
            }, version: directory.graphVersion)
        var targets: [String: ReferenceMap.Target] = [:]
        for (name, result) in zip(distinct, found) {
            switch result {
            case .success(let page):
                let matches = (page["value"]?.arrayValue ?? []).filter { $0["displayName"]?.stringValue == name }
                if matches.count == 1, let id = matches[0]["id"]?.stringValue {
                    targets[name] = .id(id)
                } else if matches.isEmpty {
                    targets[name] = .missing("no group named \"\(name)\" in \(targetName) (groups are never created)")
                } else {
                    targets[name] = .missing("\(matches.count) groups in \(targetName) are named \"\(name)\"")
                }
            case .failure(let error):
                targets[name] = .missing("groups of \(targetName) could not be searched: \(error.message)")
            }
        }
        for (id, name) in names { map.groups[id] = targets[name] ?? .missing("not looked up") }
    }

    /// The strings at `path` (`a[].b`) in a payload.
    static func values(at path: String, in payload: JSONValue) -> [String] {
        var current = [payload]
        for step in path.split(separator: ".").map(String.init) {
            let isArray = step.hasSuffix("[]")
            let name = isArray ? String(step.dropLast(2)) : step
            current = current.flatMap { value -> [JSONValue] in
                guard let child = value[name] else { return [] }
                return isArray ? (child.arrayValue ?? []) : [child]
            }
        }
        return current.compactMap(\.stringValue)
    }
}
