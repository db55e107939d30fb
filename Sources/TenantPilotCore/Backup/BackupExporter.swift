import Foundation

/// Writes a set's payloads as files (`backups export`):
/// `DIR/<type key>/<display name made file-safe>__<graph id>.json`.
public struct BackupExporter: Sendable {
    public let store: BackupSetStore

    public init(store: BackupSetStore) {
        self.store = store
    }

    /// Exports set `setId` into `directory` (created if missing); returns the files written.
    public func export(setId: Int64, to directory: URL) async throws(TenantPilotError) -> [URL] {
        guard let set = try await store.set(id: setId) else {
            throw .notFound("no backup set with id \(setId); see `tenantpilot backups list`")
        }
        var written: [URL] = []
        var used = Set<String>()
        for item in set.items {
            guard let payload = try await store.payload(sha256: item.sha256) else {
                throw .failed("payload \(item.sha256) of \(item.typeKey)/\(item.graphId) is missing from the store")
            }
            let folder = directory.appendingPathComponent(Self.safeName(item.typeKey, limit: 100), isDirectory: true)
            var name = Self.fileName(displayName: item.displayName, graphId: item.graphId)
            var counter = 2
            while !used.insert(folder.path + "/" + name).inserted {
                name = Self.fileName(displayName: item.displayName + " (\(counter))", graphId: item.graphId)
                counter += 1
            }
            let file = folder.appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Self.pretty(payload).write(to: file, options: .atomic)
            } catch {
                throw .failed("cannot write \(file.path): \(error.localizedDescription)")
            }
            written.append(file)
        }
        return written
    }

    /// `<display name>__<graph id>.json`, within the 255-byte limit of common file systems.
    public static func fileName(displayName: String, graphId: String) -> String {
        let id = safeName(graphId, limit: 100)
        let name = safeName(displayName, limit: 255 - 2 - id.utf8.count - 5)
        return "\(name)__\(id).json"
    }

    /// A name any file system accepts: no `/`, `\`, `:`, control or reserved characters, no
    /// leading dot, at most `limit` UTF-8 bytes (cut on a character boundary).
    public static func safeName(_ text: String, limit: Int) -> String {
        let forbidden = CharacterSet(charactersIn: "/\\:*?\"<>|").union(.controlCharacters)
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(forbidden.contains(scalar) ? "_" : scalar)
        }
        var result = String(scalars).trimmingCharacters(in: .whitespaces)
        while result.hasPrefix(".") { result.removeFirst() }
        var cut = ""
        for character in result {
            if cut.utf8.count + String(character).utf8.count > max(1, limit) { break }
            cut.append(character)
        }
        return cut.isEmpty ? "unnamed" : cut
    }

    static func pretty(_ payload: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(payload) + Data("\n".utf8)
    }
}
