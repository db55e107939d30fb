import Foundation

/// Writes a set's payloads as files (`backups export`):
/// `DIR/<type key>/<display name made file-safe>__<graph id>.json`.
public struct BackupExporter: Sendable {
    public let store: BackupSetStore

    public init(store: BackupSetStore) {
        self.store = store
    }

    /// The folder `--out` names; an empty one is bad input (it would mean the current folder).
    public static func outputFolder(_ text: String) throws(TenantPilotError) -> URL {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalid("--out \"\(text)\" names no folder; give the folder to export into")
        }
        guard !PlainText.containsControl(text) else {
            throw .invalid("--out \(text.debugDescription) must not contain control characters")
        }
        return URL(fileURLWithPath: text)
    }

    /// Exports set `setId` into `directory` (created if missing); returns the files written.
    /// Nothing is written through a symbolic link inside the export: a type folder or a file
    /// that is a link is refused or replaced, never followed out of `directory`.
    public func export(setId: Int64, to directory: URL) async throws(TenantPilotError) -> [URL] {
        guard let set = try await store.set(id: setId) else {
            throw .notFound("no backup set with id \(setId); see `tenantpilot backups list`")
        }
        let root: SafeFiles.Directory
        do {
            try SafeFiles.makeDirectories(directory.path, mode: 0o777, exact: false)
            root = try SafeFiles.Directory(path: directory.path)
        } catch {
            throw .failed("cannot write to \(error.message)")
        }
        var written: [URL] = []
        var used = Set<String>()
        var folders: [String: SafeFiles.Directory] = [:]
        for item in set.items {
            guard let payload = try await store.payload(sha256: item.sha256) else {
                throw .failed("payload \(item.sha256) of \(item.typeKey)/\(item.graphId) is missing from the store")
            }
            let folderName = Self.safeName(item.typeKey, limit: 100)
            var name = Self.fileName(displayName: item.displayName, graphId: item.graphId)
            var counter = 2
            while !used.insert(folderName + "/" + name).inserted {
                name = Self.fileName(displayName: item.displayName + " (\(counter))", graphId: item.graphId)
                counter += 1
            }
            do throws(SafeFiles.Failure) {
                let folder: SafeFiles.Directory
                if let open = folders[folderName] {
                    folder = open
                } else {
                    folder = try root.subdirectory(folderName)
                    folders[folderName] = folder
                }
                let data: Data
                do {
                    data = try Self.pretty(payload)
                } catch {
                    throw SafeFiles.Failure(path: folder.path + "/" + name, reason: "cannot encode the payload")
                }
                try folder.write(data, to: name)
            } catch {
                throw .failed("cannot write \(error.message)")
            }
            written.append(directory.appendingPathComponent(folderName, isDirectory: true).appendingPathComponent(name))
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
