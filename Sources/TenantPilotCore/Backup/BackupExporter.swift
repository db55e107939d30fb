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

    /// What an export wrote.
    public struct Export: Sendable {
        /// The payload files, in the order of the set's items.
        public let files: [URL]
        public let manifest: URL
    }

    /// The manifest's name, in the export's root folder.
    public static let manifestName = "manifest.json"

    /// Exports set `setId` into `directory` (created if missing, mode 0700): each payload as a
    /// file of mode 0600 in a folder of mode 0700 per type — exactly those modes whatever the
    /// umask, as the store itself — then `manifest.json` (tenant, set, created, each item's type,
    /// Graph id, display name, SHA-256 and file), and the audit entry `backup.exported`. A folder
    /// that exists and is not empty is refused unless `force` (two sets mixed in one folder cannot
    /// be told apart; with `force` the manifest names this set's files, and other files are left
    /// as they are). Nothing is written through a symbolic link inside the export: a type folder
    /// or a file that is a link is refused or replaced, never followed out of `directory`.
    public func export(setId: Int64, to directory: URL, force: Bool, actor: String, at instant: Date)
        async throws(TenantPilotError) -> Export
    {
        guard let set = try await store.set(id: setId) else {
            throw .notFound("no backup set with id \(setId); see `tenantpilot backups list`")
        }
        let root: SafeFiles.Directory
        do {
            try SafeFiles.makeDirectories(directory.path, mode: 0o700)
            root = try SafeFiles.Directory(path: directory.path)
        } catch {
            throw .failed("cannot write to \(error.message)")
        }
        let existing: [String]
        do {
            existing = try root.entries()
        } catch {
            throw .failed("cannot read \(error.message)")
        }
        if !existing.isEmpty && !force {
            throw .invalid(
                "--out \(directory.path) is not empty (\(existing.count) entr\(existing.count == 1 ? "y" : "ies")); "
                    + "export into an empty or new folder, or give --force to write into it")
        }
        var written: [URL] = []
        var manifestItems: [JSONValue] = []
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
                    folder = try root.subdirectory(folderName, mode: 0o700, exact: true)
                    folders[folderName] = folder
                }
                let data: Data
                do {
                    data = try Self.pretty(payload)
                } catch {
                    throw SafeFiles.Failure(path: folder.path + "/" + name, reason: "cannot encode the payload")
                }
                try folder.write(data, to: name, mode: 0o600, exact: true)
            } catch {
                throw .failed("cannot write \(error.message)")
            }
            written.append(directory.appendingPathComponent(folderName, isDirectory: true).appendingPathComponent(name))
            manifestItems.append(
                .object([
                    "type": .string(item.typeKey), "graph_id": .string(item.graphId),
                    "display_name": .string(item.displayName), "sha256": .string(item.sha256),
                    "file": .string(folderName + "/" + name),
                ]))
        }
        let summary = set.summary
        let manifest: JSONValue = .object([
            "tenant": .string(summary.tenantName), "set_id": .int(summary.id),
            "schedule": summary.scheduleName.map(JSONValue.string) ?? .null,
            "status": .string(summary.status.rawValue), "created_at": .string(summary.createdAt.text),
            "exported_at": .string(Instant(instant).text), "item_count": .int(Int64(set.items.count)),
            "items": .array(manifestItems),
        ])
        do throws(SafeFiles.Failure) {
            let data: Data
            do {
                data = try Self.pretty(manifest)
            } catch {
                throw SafeFiles.Failure(path: directory.path + "/" + Self.manifestName, reason: "cannot encode it")
            }
            try root.write(data, to: Self.manifestName, mode: 0o600, exact: true)
        } catch {
            throw .failed("cannot write \(error.message)")
        }
        let path = directory.path
        let count = written.count
        try await store.store.write("audit the export of backup set \(setId)") { tx in
            try tx.audit.record(
                at: instant, actor: actor, tenantId: summary.tenantId, action: .backupExported, resource: .backupSet,
                resourceId: String(setId),
                metadata: [
                    "out": .string(path), "files": .int(Int64(count)), "force": .bool(force),
                    "non_empty_folder": .bool(!existing.isEmpty),
                ])
        }
        return Export(files: written, manifest: directory.appendingPathComponent(Self.manifestName))
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
