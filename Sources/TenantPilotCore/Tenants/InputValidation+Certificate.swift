import Foundation

/// A certificate credential checked at the command line (`tenants add`, and `tenants update`
/// when it changes the credential): both files read, the key matched to the certificate.
public struct ValidatedCertificate: Sendable {
    public let credential: CertificateCredential
    public let summary: CertificateSummary
    /// What is usable but worth saying on stderr (expired or expiring, a key others can read).
    public let warnings: [String]
}

extension InputValidation {
    /// How close to its expiry a certificate is worth a warning.
    public static let certificateExpiryWarning: TimeInterval = 30 * 24 * 3600

    /// `--certificate-file` and `--private-key-file` (absolute or relative to
    /// `workingDirectory`): a PEM certificate and the RSA key that belongs to it, in one file or
    /// two. Bad input (unreadable file, no certificate, no key, a key of another certificate)
    /// fails naming the file; nothing of the key is ever part of a message.
    public static func certificateCredential(
        certificateFile: String, privateKeyFile: String?, workingDirectory: String, now: Date
    ) throws(TenantPilotError) -> ValidatedCertificate {
        guard !certificateFile.isEmpty else { throw .invalid("--certificate-file must not be empty") }
        if let privateKeyFile, privateKeyFile.isEmpty { throw .invalid("--private-key-file must not be empty") }
        func absolute(_ path: String) -> String {
            path.hasPrefix("/")
                ? path : URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).standardized.path
        }
        let credential = CertificateCredential(
            certificateFile: absolute(certificateFile), privateKeyFile: privateKeyFile.map(absolute))
        let summary: CertificateSummary
        do {
            summary = try credential.load().summary
        } catch {
            throw .invalid(error.message)
        }
        var warnings: [String] = []
        if summary.notValidAfter <= now {
            warnings.append(
                "the certificate \(credential.certificateFile) expired on \(ISO8601.string(summary.notValidAfter)); runs will fail "
                    + "with GRAPH_AUTH_FAILED until it is replaced")
        } else if summary.notValidAfter.timeIntervalSince(now) < certificateExpiryWarning {
            let days = Int(summary.notValidAfter.timeIntervalSince(now) / 86_400)
            warnings.append(
                "the certificate \(credential.certificateFile) expires on \(ISO8601.string(summary.notValidAfter)) "
                    + "(in \(days) day\(days == 1 ? "" : "s")); renew it in time")
        }
        if credential.keyReadableByOthers() {
            warnings.append(
                "the private key file \(credential.keyFile) is readable by group or others; run chmod 600 \(credential.keyFile)"
            )
        }
        return ValidatedCertificate(credential: credential, summary: summary, warnings: warnings)
    }
}
