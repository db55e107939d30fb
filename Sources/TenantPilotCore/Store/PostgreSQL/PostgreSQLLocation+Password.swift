import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension PostgreSQLLocation {
    /// The location with its password, from the first of: the file of `--db-password-file`
    /// (`passwordFile`, which follows the rules of every secret file), `PGPASSWORD`, then the
    /// password file (`PGPASSFILE`, else `~/.pgpass`) in libpq's format. None found is not an
    /// error: the server may not ask for one, and says so if it does.
    ///
    /// Throws bad input (exit 2) when `passwordFile` cannot be used. A password file that
    /// group or others can read is ignored with a warning, as libpq does.
    public func resolvingPassword(passwordFile: String?, environment: [String: String], logger: Logger)
        throws(TenantPilotError) -> PostgreSQLLocation
    {
        var resolved = self
        if let passwordFile {
            let data: Data
            do {
                data = try SecretFile.read(passwordFile)
            } catch {
                throw .invalid("--db-password-file: \(error.message)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw .invalid("--db-password-file: \(passwordFile) is empty") }
            resolved.password = DatabasePassword(text, source: passwordFile)
            return resolved
        }
        if let value = environment["PGPASSWORD"], !value.isEmpty {
            resolved.password = DatabasePassword(value, source: "PGPASSWORD")
            return resolved
        }
        let file =
            environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.pgpass")
        if let value = PostgreSQLPasswordFile.lookup(file: file, for: self, logger: logger) {
            resolved.password = DatabasePassword(value, source: file)
        }
        return resolved
    }
}

/// libpq's password file (`~/.pgpass`): lines `hostname:port:database:username:password`,
/// each field `*` for any value, `\` escaping `:` and `\`, `#` starting a comment; the first
/// line that matches wins. On Unix it is ignored unless only its owner can read it.
enum PostgreSQLPasswordFile {
    static func lookup(file: String, for location: PostgreSQLLocation, logger: Logger) -> String? {
        var info = stat()
        guard stat(file, &info) == 0 else { return nil }
        guard info.st_mode & S_IFMT == S_IFREG else {
            logger.warning("the password file is not a plain file; it is ignored", metadata: ["file": "\(file)"])
            return nil
        }
        if info.st_mode & (S_IRWXG | S_IRWXO) != 0 {
            logger.warning(
                "the password file has group or world access; it is ignored (permissions should be u=rw, 0600)",
                metadata: ["file": "\(file)"])
            return nil
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return password(in: text, for: location)
    }

    /// The password of the first line of `text` that matches the location.
    static func password(in text: String, for location: PostgreSQLLocation) -> String? {
        let wanted = [location.host, String(location.port), location.database, location.user]
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#") { continue }
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in field == "*" || field == value }
            if matches { return fields[4] }
        }
        return nil
    }

    /// A line's fields, `\:` and `\\` read as `:` and `\`.
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
