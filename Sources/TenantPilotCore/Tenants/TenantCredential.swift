import Foundation

/// Where a tenant's credential is read from at run time, checked at the command line (`tenants
/// add`, `update`, `import`): a client secret's environment variable or file, or a certificate
/// whose key matches it (both files read). Bad input fails naming the value; a source that only
/// cannot be read *now* — a variable unset in this shell, a file not there yet or not readable
/// by this user — is a warning, since the crontab's environment and user may differ.
public enum TenantCredential: Sendable {
    case secretEnvironment(String)
    case secretFile(String)
    case certificate(ValidatedCertificate)

    /// A validated credential and what is worth saying about it on stderr.
    public struct Checked: Sendable {
        public let credential: TenantCredential
        public let warnings: [String]
    }

    /// Validates the credential options. `workingDirectory` anchors relative paths; `environment`
    /// is this shell's, to warn about a variable that is not set in it. `names` spells the
    /// options in messages (`--client-secret-file`, or a column of `tenants import`).
    public static func check(
        secretEnv: String?, secretFile: String?, certificateFile: String?, privateKeyFile: String?,
        workingDirectory: String, environment: [String: String], now: Date, names: OptionNames = .flags
    ) throws(TenantPilotError) -> Checked {
        let given = [secretEnv != nil, secretFile != nil, certificateFile != nil].filter { $0 }.count
        if given > 1 {
            throw .invalid(
                "give one credential: \(names.secretEnv), \(names.secretFile) or \(names.certificateFile), not several")
        }
        if privateKeyFile != nil, certificateFile == nil {
            throw .invalid(
                "\(names.privateKeyFile) needs \(names.certificateFile) (the certificate the key belongs to)")
        }
        if let secretEnv {
            let name = try InputValidation.environmentVariableName(secretEnv, option: names.secretEnv)
            var warnings: [String] = []
            if (environment[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                warnings.append(
                    "\(name) is \(environment[name] == nil ? "not set" : "empty") in this shell; runs read the client "
                        + "secret from it at run time, so set it where dispatch runs (the crontab's environment), "
                        + "or runs fail with CREDENTIALS_UNAVAILABLE")
            }
            return Checked(credential: .secretEnvironment(name), warnings: warnings)
        }
        if let path = secretFile {
            _ = try InputValidation.secretPath(path, option: names.secretFile)
            let absolute = absolutePath(path, in: workingDirectory)
            return Checked(credential: .secretFile(absolute), warnings: try secretFileWarnings(absolute))
        }
        if let certificateFile {
            let certificate = try InputValidation.certificateCredential(
                certificateFile: certificateFile, privateKeyFile: privateKeyFile, workingDirectory: workingDirectory,
                now: now)
            return Checked(credential: .certificate(certificate), warnings: certificate.warnings)
        }
        throw .invalid(
            "give where the credential is read from: \(names.secretEnv) VAR, \(names.secretFile) PATH, "
                + "or \(names.certificateFile) PEM [\(names.privateKeyFile) PEM]")
    }

    /// A secret file that exists must be fit to hold a secret (the secret-file rule); one that is
    /// missing or that this user may not read is a warning, and so is a mode others can read
    /// (a run refuses it until it is `chmod 600`).
    static func secretFileWarnings(_ path: String) throws(TenantPilotError) -> [String] {
        do {
            try SecretFile.check(path, requirePrivateMode: false)
        } catch  where error.missing {
            return [
                "secret file \(path) does not exist yet; runs fail with CREDENTIALS_UNAVAILABLE until it does "
                    + "(write the secret there, chmod 600)"
            ]
        } catch  where error.denied {
            return [
                "secret file \(path) cannot be read by this user; runs read it as the user of the crontab, "
                    + "which must own it (chmod 600)"
            ]
        } catch {
            throw .invalid(error.message)
        }
        do {
            try SecretFile.check(path, requirePrivateMode: true)
        } catch {
            return [error.message + "; runs refuse it until then"]
        }
        return []
    }

    static func absolutePath(_ path: String, in workingDirectory: String) -> String {
        path.hasPrefix("/")
            ? path : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).standardized.path
    }

    /// How the credential options are spelled in messages.
    public struct OptionNames: Sendable {
        public var secretEnv: String
        public var secretFile: String
        public var certificateFile: String
        public var privateKeyFile: String

        public init(secretEnv: String, secretFile: String, certificateFile: String, privateKeyFile: String) {
            self.secretEnv = secretEnv
            self.secretFile = secretFile
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
        }

        public static let flags = OptionNames(
            secretEnv: "--client-secret-env", secretFile: "--client-secret-file", certificateFile: "--certificate-file",
            privateKeyFile: "--private-key-file")
    }

    // MARK: - The columns

    var secretEnv: String? {
        if case .secretEnvironment(let name) = self { return name }
        return nil
    }

    var secretFile: String? {
        if case .secretFile(let path) = self { return path }
        return nil
    }

    var certificate: ValidatedCertificate? {
        if case .certificate(let certificate) = self { return certificate }
        return nil
    }

    /// Writes this credential into the tenant's columns (clearing the others).
    func apply(to tenant: inout Tenant) {
        tenant.secretEnv = secretEnv
        tenant.secretFile = secretFile
        tenant.certificateFile = certificate?.credential.certificateFile
        tenant.privateKeyFile = certificate?.credential.privateKeyFile
    }
}
