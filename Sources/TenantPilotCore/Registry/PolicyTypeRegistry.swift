import Foundation

/// The policy types that exist: the package's data file `policy-types.json`, or the file named
/// by `TENANTPILOT_POLICY_TYPES`, which replaces it.
public struct PolicyTypeRegistry: Sendable {
    public static let environmentVariable = "TENANTPILOT_POLICY_TYPES"
    public static let fileName = "policy-types.json"

    public let types: [PolicyType]
    /// Where the registry was read from (for `doctor` and error messages).
    public let source: String
    /// Where restore looks up groups by id and by name; nil when the file names none.
    public let groups: DirectoryCollection?
    private let byKey: [String: PolicyType]

    public init(types: [PolicyType], source: String = "memory", groups: DirectoryCollection? = nil) {
        self.types = types
        self.source = source
        self.groups = groups
        self.byKey = Dictionary(types.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func type(forKey key: String) -> PolicyType? { byKey[key] }

    public var keys: [String] { types.map(\.key) }

    /// The registry an invocation uses: `TENANTPILOT_POLICY_TYPES` if set, else the bundled file.
    public static func load(environment: [String: String]) throws(TenantPilotError) -> PolicyTypeRegistry {
        if let path = environment[environmentVariable], !path.isEmpty {
            return try load(from: URL(fileURLWithPath: path))
        }
        guard let url = bundledFileURL() else {
            throw .failed(
                "the bundled policy-type registry \(fileName) was not found next to the executable; "
                    + "reinstall, or set \(environmentVariable) to a registry file",
                code: .registryInvalid)
        }
        return try load(from: url)
    }

    /// Reads and checks a registry file; every fault names the file.
    public static func load(from url: URL) throws(TenantPilotError) -> PolicyTypeRegistry {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .failed(
                "cannot read policy-type registry \(url.path): \(error.localizedDescription)", code: .registryInvalid)
        }
        return try parse(data, source: url.path)
    }

    public static func parse(_ data: Data, source: String) throws(TenantPilotError) -> PolicyTypeRegistry {
        let types: [PolicyType]
        var groups: DirectoryCollection?
        do {
            // Either {"policyTypes": [...]} or a bare array.
            let firstSignificant = data.first { !(" \n\r\t".utf8.contains($0)) }
            if firstSignificant == UInt8(ascii: "{") {
                let file = try JSONDecoder().decode(RegistryFile.self, from: data)
                types = file.policyTypes
                groups = file.groups
            } else {
                types = try JSONDecoder().decode([PolicyType].self, from: data)
            }
        } catch let error as DecodingError {
            throw .failed("malformed policy-type registry \(source): \(describe(error))", code: .registryInvalid)
        } catch {
            throw .failed(
                "malformed policy-type registry \(source): \(error.localizedDescription)", code: .registryInvalid)
        }
        var seen = Set<String>()
        for (index, type) in types.enumerated() {
            if type.key.isEmpty || type.key.contains(where: { $0 == "," || $0.isWhitespace }) {
                throw .failed(
                    "malformed policy-type registry \(source): entry \(index) has an invalid key \"\(type.key)\"",
                    code: .registryInvalid)
            }
            if !seen.insert(type.key).inserted {
                throw .failed(
                    "malformed policy-type registry \(source): key \"\(type.key)\" appears twice",
                    code: .registryInvalid)
            }
            if type.graphVersion != "v1.0" && type.graphVersion != "beta" {
                throw .failed(
                    "malformed policy-type registry \(source): \(type.key) has graphVersion \"\(type.graphVersion)\" (expected v1.0 or beta)",
                    code: .registryInvalid)
            }
            if type.collectionPath.isEmpty || type.collectionPath.hasPrefix("/") || type.collectionPath.contains("://")
            {
                throw .failed(
                    "malformed policy-type registry \(source): \(type.key) has an invalid collectionPath \"\(type.collectionPath)\"",
                    code: .registryInvalid)
            }
            if let problem = captureProblem(of: type) {
                throw .failed(
                    "malformed policy-type registry \(source): \(type.key) \(problem)", code: .registryInvalid)
            }
        }
        if types.isEmpty {
            throw .failed("malformed policy-type registry \(source): it lists no policy types", code: .registryInvalid)
        }
        return PolicyTypeRegistry(types: types, source: source, groups: groups)
    }

    /// Valid keys closest to `key`, for "did you mean" messages.
    public func suggestions(for key: String, limit: Int = 3) -> [String] {
        let lowered = key.lowercased()
        let scored = keys.map { candidate -> (String, Int) in
            let distance = EditDistance.between(lowered, candidate.lowercased())
            let bonus = candidate.lowercased().contains(lowered) || lowered.contains(candidate.lowercased()) ? -3 : 0
            return (candidate, distance + bonus)
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// What is wrong with a type's typed collections, page sizes and sub-resources, if anything.
    private static func captureProblem(of type: PolicyType) -> String? {
        func validPath(_ path: String) -> Bool {
            !path.isEmpty && !path.hasPrefix("/") && !path.contains("://") && !path.contains("?")
        }
        func problem(in subresources: [Subresource], owner: String) -> String? {
            for subresource in subresources {
                if subresource.property.isEmpty || !validPath(subresource.path) {
                    return "has an invalid sub-resource \"\(subresource.path)\" in \(owner)"
                }
                if let top = subresource.top, top < 1 {
                    return "has $top \(top) for \(subresource.property); it must be ≥ 1"
                }
                if let nested = problem(in: subresource.children, owner: subresource.property) { return nested }
            }
            return nil
        }
        if let top = type.listTop, top < 1 { return "has listTop \(top); it must be ≥ 1" }
        if let nested = problem(in: type.subresources, owner: type.collectionPath) { return nested }
        var seen: Set<String> = [type.collectionPath]
        for collection in type.collections {
            if !validPath(collection.path) { return "has an invalid typed collection path \"\(collection.path)\"" }
            if !seen.insert(collection.path).inserted { return "lists the collection \(collection.path) twice" }
            if !collection.odataType.hasPrefix("#") {
                return "has odataType \"\(collection.odataType)\" (expected #microsoft.graph.…)"
            }
            if let top = collection.listTop, top < 1 {
                return "has listTop \(top) for \(collection.path); it must be ≥ 1"
            }
            if let nested = problem(in: collection.subresources, owner: collection.path) { return nested }
        }
        return nil
    }

    private struct RegistryFile: Decodable {
        let policyTypes: [PolicyType]
        let groups: DirectoryCollection?
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return components.isEmpty ? "at the top level" : "at " + components.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\" \(path(context))"
        case .typeMismatch(_, let context): return "wrong type \(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value \(path(context))"
        case .dataCorrupted(let context): return "not valid JSON \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The bundled data file: in the resource bundle next to the executable (how SwiftPM lays
    /// out a build) or in `../share/tenantpilot/` (how `scripts/install` lays out a prefix).
    static func bundledFileURL() -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let directories = [
            Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent(),
            executable.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ].compactMap { $0 }
        var candidates: [URL] = []
        for directory in directories {
            candidates.append(directory.appendingPathComponent("TenantPilot_TenantPilotCore.resources/\(fileName)"))
            candidates.append(directory.appendingPathComponent("../share/tenantpilot/\(fileName)").standardized)
        }
        // Test bundles live one level deeper than the products.
        for directory in directories {
            candidates.append(
                directory.appendingPathComponent("../TenantPilot_TenantPilotCore.resources/\(fileName)").standardized)
            candidates.append(
                directory.appendingPathComponent("../../TenantPilot_TenantPilotCore.resources/\(fileName)").standardized
            )
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
