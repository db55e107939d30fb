import Foundation

/// `tenants import FILE`: many tenants at once, from a CSV file with a header row or a JSON array
/// of objects, with the fields of `tenants add` (`name`, `tenant_id`, `client_id`,
/// `client_secret_env`, `client_secret_file`, `certificate_file`, `private_key_file`,
/// `graph_url`, `authority_url`; `-` may stand for `_`). Every row is validated as `tenants add`
/// validates its options before anything is written: a bad row is named by its line and field,
/// and the file is refused whole. Relative paths are read from the import file's folder. An
/// empty CSV cell (or a JSON `null`) is a field not given.
public struct TenantImport: Sendable {
    /// One row, validated.
    public struct Row: Sendable {
        /// The line of the file the row starts on.
        public let line: Int
        public let request: NewTenant
    }

    public let file: String
    public let rows: [Row]
    /// Credential sources that cannot be read now, and certificate warnings, each naming its line.
    public let warnings: [String]

    /// The largest file read (a list of tenants is never that long).
    public static let maximumSize = 16 * 1024 * 1024

    /// The fields, as spelled in the file's header or keys.
    public enum Field: String, Sendable, CaseIterable {
        case name
        case tenantId = "tenant_id"
        case clientId = "client_id"
        case clientSecretEnv = "client_secret_env"
        case clientSecretFile = "client_secret_file"
        case certificateFile = "certificate_file"
        case privateKeyFile = "private_key_file"
        case graphURL = "graph_url"
        case authorityURL = "authority_url"

        static let required: [Field] = [.name, .tenantId, .clientId]
        static let credentials: [Field] = [.clientSecretEnv, .clientSecretFile, .certificateFile]

        /// `tenant_id`, `tenant-id`, `Tenant ID` all name `tenant_id`.
        init?(header: String) {
            let normalized = header.trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
            self.init(rawValue: normalized)
        }
    }

    /// Reads and validates `path` (relative to `workingDirectory`). Throws bad input naming the
    /// file, the line and the field of the first problem.
    public static func read(
        _ path: String, workingDirectory: String = FileManager.default.currentDirectoryPath, now: Date = Date(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TenantPilotError) -> TenantImport {
        let absolute = TenantCredential.absolutePath(path, in: workingDirectory)
        let text = try contents(of: absolute, shown: path)
        let entries = try isJSON(text) ? jsonEntries(text, file: path) : csvEntries(text, file: path)
        if entries.isEmpty { throw .invalid("\(path) holds no tenant (only a header, or nothing)") }
        let folder = URL(fileURLWithPath: absolute).deletingLastPathComponent().path
        var rows: [Row] = []
        var warnings: [String] = []
        var names: [String: Int] = [:]
        var applications: [String: Int] = [:]
        for entry in entries {
            let request = try validate(entry, file: path, folder: folder, now: now, environment: environment)
            if let first = names[request.name] {
                throw .invalid(
                    "\(path) line \(entry.line), field name: \"\(request.name)\" is also the name on line \(first)")
            }
            names[request.name] = entry.line
            let application = request.tenantGuid + " " + request.clientId
            if let first = applications[application] {
                throw .invalid(
                    "\(path) line \(entry.line), field client_id: tenant id \(request.tenantGuid) with client id "
                        + "\(request.clientId) is also on line \(first) (one app registration is one tenant)")
            }
            applications[application] = entry.line
            warnings += request.warnings.map { "\(path) line \(entry.line): \($0)" }
            rows.append(Row(line: entry.line, request: request))
        }
        return TenantImport(file: path, rows: rows, warnings: warnings)
    }

    // MARK: - Reading

    /// One row of the file: its line and its fields by name (absent: not given).
    struct Entry {
        let line: Int
        let values: [Field: String]
    }

    private static func contents(of path: String, shown: String) throws(TenantPilotError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            // errno says which: "No such file or directory", "Permission denied", …
            let reason = access(path, R_OK) == 0 ? "cannot be opened" : String(cString: strerror(errno))
            throw .invalid("cannot read \(shown): \(reason)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            throw .invalid("cannot read \(shown): \(error.localizedDescription)")
        }
        guard data.count <= maximumSize else {
            throw .invalid("\(shown) is larger than \(maximumSize / 1024 / 1024) MB; split it")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalid("\(shown) is not UTF-8 text (save the CSV as UTF-8)")
        }
        return text
    }

    private static func isJSON(_ text: String) -> Bool {
        text.unicodeScalars.first { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "\u{FEFF}" } == "["
    }

    static func csvEntries(_ text: String, file: String) throws(TenantPilotError) -> [Entry] {
        let records: [CSVParser.Record]
        do {
            records = try CSVParser.records(text)
        } catch {
            throw .invalid("\(file) line \(error.line): \(error.message)")
        }
        guard let header = records.first else { return [] }
        var columns: [Field] = []
        for name in header.fields {
            guard let field = Field(header: name) else {
                throw .invalid(
                    "\(file) line \(header.line): unknown column \(PlainText.escaped(name).debugDescription) "
                        + "(the columns are \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if columns.contains(field) {
                throw .invalid("\(file) line \(header.line): column \(field.rawValue) is named twice")
            }
            columns.append(field)
        }
        try checkColumns(Set(columns), file: file, line: header.line)
        return try records.dropFirst().map { (record: CSVParser.Record) throws(TenantPilotError) -> Entry in
            guard record.fields.count == columns.count else {
                throw .invalid(
                    "\(file) line \(record.line): \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), "
                        + "but the header has \(columns.count) (quote a value that holds a comma)")
            }
            var values: [Field: String] = [:]
            for (field, value) in zip(columns, record.fields) where !value.isEmpty { values[field] = value }
            return Entry(line: record.line, values: values)
        }
    }

    private static func checkColumns(_ columns: Set<Field>, file: String, line: Int) throws(TenantPilotError) {
        for field in Field.required where !columns.contains(field) {
            throw .invalid("\(file) line \(line): missing column \(field.rawValue) (every tenant needs one)")
        }
        if columns.isDisjoint(with: Field.credentials) {
            throw .invalid(
                "\(file) line \(line): missing a credential column "
                    + "(\(Field.credentials.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    static func jsonEntries(_ text: String, file: String) throws(TenantPilotError) -> [Entry] {
        let data = Data(text.utf8)
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw .invalid("\(file) is not valid JSON: \(error)")
        }
        guard let elements = document.arrayValue else {
            throw .invalid("\(file) must hold a JSON array of tenants, one object each")
        }
        let lines = elementLines(data)
        var entries: [Entry] = []
        for (index, element) in elements.enumerated() {
            let line = index < lines.count ? lines[index] : 1
            guard let object = element.objectValue else {
                throw .invalid("\(file) line \(line): tenant \(index + 1) is not a JSON object")
            }
            var values: [Field: String] = [:]
            for key in object.keys.sorted() {
                guard let field = Field(header: key) else {
                    throw .invalid(
                        "\(file) line \(line): unknown field \(PlainText.escaped(key).debugDescription) "
                            + "(the fields are \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                switch object[key] {
                case .string(let value)?:
                    if !value.isEmpty { values[field] = value }
                case .null?, nil:
                    break
                default:
                    throw .invalid("\(file) line \(line), field \(field.rawValue): must be a string")
                }
            }
            for field in Field.required where values[field] == nil {
                throw .invalid("\(file) line \(line): missing field \(field.rawValue)")
            }
            entries.append(Entry(line: line, values: values))
        }
        return entries
    }

    /// The line on which each element of the top-level array starts.
    static func elementLines(_ data: Data) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var expectingElement = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                if byte == UInt8(ascii: "\n") { line += 1 }
                continue
            }
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                continue
            default:
                break
            }
            if depth == 1, expectingElement, byte != UInt8(ascii: "]") {
                lines.append(line)
                expectingElement = false
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth == 1 { expectingElement = true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: ","): if depth == 1 { expectingElement = true }
            default: break
            }
        }
        return lines
    }

    // MARK: - Validating

    private static func validate(
        _ entry: Entry, file: String, folder: String, now: Date, environment: [String: String]
    ) throws(TenantPilotError) -> NewTenant {
        let values = entry.values
        func failure(_ field: Field?, _ error: TenantPilotError) -> TenantPilotError {
            .invalid("\(file) line \(entry.line)\(field.map { ", field \($0.rawValue)" } ?? ""): \(error.message)")
        }
        // Field by field first, so that the error names the field.
        let checks: [(Field, (String) throws(TenantPilotError) -> Void)] = [
            (.name, { value throws(TenantPilotError) in _ = try InputValidation.name(value, what: "tenant") }),
            (.tenantId, { value throws(TenantPilotError) in _ = try InputValidation.guid(value, option: "tenant_id") }),
            (
                .clientId,
                { value throws(TenantPilotError) in _ = try InputValidation.clientId(value, option: "client_id") }
            ),
            (
                .graphURL,
                { value throws(TenantPilotError) in _ = try InputValidation.baseURL(value, option: "graph_url") }
            ),
            (
                .authorityURL,
                { value throws(TenantPilotError) in _ = try InputValidation.baseURL(value, option: "authority_url") }
            ),
        ]
        for field in Field.required where values[field] == nil {
            throw failure(field, .invalid("is empty; every tenant needs a \(field.rawValue)"))
        }
        for (field, check) in checks {
            guard let value = values[field] else { continue }
            do {
                try check(value)
            } catch {
                throw failure(field, error)
            }
        }
        let credentialField = Field.credentials.first { values[$0] != nil }
        do {
            return try NewTenant(
                name: values[.name] ?? "", tenantId: values[.tenantId] ?? "", clientId: values[.clientId] ?? "",
                secretEnv: values[.clientSecretEnv], secretFile: values[.clientSecretFile],
                graphURL: values[.graphURL], authorityURL: values[.authorityURL],
                certificateFile: values[.certificateFile], privateKeyFile: values[.privateKeyFile],
                workingDirectory: folder, now: now, environment: environment, names: columnNames,
                options: NewTenant.FieldNames(
                    tenantId: "tenant_id", clientId: "client_id", graphURL: "graph_url", authorityURL: "authority_url"))
        } catch {
            throw failure(credentialField, error)
        }
    }

    private static let columnNames = TenantCredential.OptionNames(
        secretEnv: "client_secret_env", secretFile: "client_secret_file", certificateFile: "certificate_file",
        privateKeyFile: "private_key_file")
}
