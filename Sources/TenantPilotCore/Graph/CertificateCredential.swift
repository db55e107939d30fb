import Crypto
import Foundation
import X509
import _CryptoExtras

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A certificate credential of an app registration (docs/operations.md §2): where its certificate and
/// private key are read from at run time. Only the two paths are stored; the key is read when a
/// token is requested and never stored, printed or logged.
public struct CertificateCredential: Sendable, Hashable {
    /// PEM file with the certificate (and the key, when `privateKeyFile` is nil).
    public let certificateFile: String
    /// PEM file with the RSA private key; nil when the certificate file holds it too.
    public let privateKeyFile: String?

    public init(certificateFile: String, privateKeyFile: String? = nil) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }

    /// The file the key is read from.
    public var keyFile: String { privateKeyFile ?? certificateFile }

    /// `cert:/path` or `cert:/path key:/path` — safe to show.
    public var description: String {
        privateKeyFile.map { "cert:\(certificateFile) key:\($0)" } ?? "cert:\(certificateFile)"
    }

    /// Why the credential cannot be used, naming the file at fault.
    public struct Problem: Error, Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// A file is missing or cannot be read.
            case unreadable
            /// A file is read but does not hold what it must (no certificate, no RSA key, a key
            /// of another certificate).
            case invalid
        }

        public let kind: Kind
        public let message: String
    }

    /// Reads both files: the certificate (the first in the file, or the one the key belongs
    /// to) and the RSA private key, which must belong to it.
    public func load() throws(Problem) -> LoadedCertificate {
        // The file that holds the key follows the rules of every secret file (SecretFile).
        let certificateText = try Self.read(certificateFile, what: "certificate file", holdsKey: privateKeyFile == nil)
        let certificateBlocks = Self.pemBlocks(certificateText)
        let certificates = certificateBlocks.filter { $0.label == "CERTIFICATE" }.compactMap {
            try? Certificate(pemEncoded: $0.text)
        }
        guard !certificates.isEmpty else {
            throw Problem(
                kind: .invalid,
                message: "certificate file \(certificateFile) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        let keyBlocks =
            privateKeyFile == nil
            ? certificateBlocks : Self.pemBlocks(try Self.read(keyFile, what: "private key file", holdsKey: true))
        let key = try Self.privateKey(in: keyBlocks, file: keyFile, sameFile: privateKeyFile == nil)
        let publicKey = key.publicKey.derRepresentation
        guard
            let certificate = certificates.first(where: {
                _RSA.Signing.PublicKey($0.publicKey)?.derRepresentation == publicKey
            })
        else {
            throw Problem(
                kind: .invalid,
                message: "the private key in \(keyFile) does not belong to the certificate in \(certificateFile)")
        }
        let der: [UInt8]
        do {
            der = try certificate.serializeAsPEM().derBytes
        } catch {
            throw Problem(
                kind: .invalid,
                message: "certificate file \(certificateFile) holds a certificate that cannot be encoded")
        }
        return LoadedCertificate(certificate: certificate, der: der, key: key)
    }

    /// The key's file mode lets group or others read it.
    public func keyReadableByOthers() -> Bool {
        var info = stat()
        guard stat(keyFile, &info) == 0 else { return false }
        return Int(info.st_mode) & 0o044 != 0
    }

    // MARK: - Reading

    private static func read(_ path: String, what: String, holdsKey: Bool) throws(Problem) -> String {
        if holdsKey {
            let data: Data
            do {
                data = try SecretFile.read(path, requirePrivateMode: false, limit: SecretFile.maximumKeyFileSize)
            } catch {
                throw Problem(
                    kind: .unreadable, message: error.message.replacingOccurrences(of: "secret file", with: what))
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw Problem(kind: .invalid, message: "\(what) \(path) is not PEM text")
            }
            return text
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Problem(
                kind: .unreadable, message: "cannot read \(what) \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Problem(kind: .unreadable, message: "\(what) \(path) is not a regular file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(kind: .unreadable, message: "cannot read \(what) \(path): permission denied")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Problem(kind: .invalid, message: "\(what) \(path) is not PEM text")
        }
        return text
    }

    /// The PEM blocks of a text, with their labels, wherever the markers stand.
    static func pemBlocks(_ text: String) -> [(label: String, text: String)] {
        var blocks: [(label: String, text: String)] = []
        var rest = text[...]
        while let begin = rest.range(of: "-----BEGIN ") {
            guard let labelEnd = rest[begin.upperBound...].range(of: "-----") else { break }
            let label = String(rest[begin.upperBound..<labelEnd.lowerBound])
            let endMarker = "-----END \(label)-----"
            guard let end = rest[labelEnd.upperBound...].range(of: endMarker) else { break }
            let body = rest[labelEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
            var lines = ["-----BEGIN \(label)-----"]
            var index = body.startIndex
            while index < body.endIndex {
                let next = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
                lines.append(String(body[index..<next]))
                index = next
            }
            lines.append(endMarker)
            blocks.append((label, lines.joined(separator: "\n")))
            rest = rest[end.upperBound...]
        }
        return blocks
    }

    private static func privateKey(
        in blocks: [(label: String, text: String)], file: String, sameFile: Bool
    ) throws(Problem) -> _RSA.Signing.PrivateKey {
        let keys = blocks.filter { $0.label.hasSuffix("PRIVATE KEY") }
        guard let block = keys.first else {
            let hint = sameFile ? "; give the key with --private-key-file" : ""
            throw Problem(
                kind: .invalid, message: "\(file) holds no PEM private key (-----BEGIN PRIVATE KEY-----)\(hint)")
        }
        switch block.label {
        case "PRIVATE KEY", "RSA PRIVATE KEY":
            break
        case "ENCRYPTED PRIVATE KEY":
            throw Problem(
                kind: .invalid,
                message:
                    "the private key in \(file) is encrypted; store it unencrypted in a file only you can read (chmod 600)"
            )
        default:
            throw Problem(
                kind: .invalid,
                message: "the private key in \(file) is a \(block.label); Entra certificate credentials need RSA")
        }
        do {
            return try _RSA.Signing.PrivateKey(pemRepresentation: block.text)
        } catch {
            throw Problem(kind: .invalid, message: "the private key in \(file) is not an RSA key of 2048 bits or more")
        }
    }
}

/// A certificate and its key, read for one token request; never stored.
public struct LoadedCertificate: Sendable {
    let certificate: Certificate
    /// The certificate's DER encoding.
    let der: [UInt8]
    let key: _RSA.Signing.PrivateKey

    /// What `doctor` and `tenants add` show.
    public var summary: CertificateSummary {
        CertificateSummary(
            subject: certificate.subject.description,
            thumbprint: Insecure.SHA1.hash(data: der).map { String(format: "%02X", $0) }.joined(),
            sha256Thumbprint: Base64URL.encode(Data(SHA256.hash(data: der))),
            notValidBefore: certificate.notValidBefore,
            notValidAfter: certificate.notValidAfter)
    }

    /// The signed client assertion (Microsoft identity platform certificate credentials): a JWT
    /// with header `alg` PS256, `typ` JWT, `x5t#S256`; claims `aud` (the token endpoint), `iss`
    /// and `sub` (the client id), a fresh `jti`, `nbf` and `iat` now, `exp` five minutes later;
    /// signed RSASSA-PSS with SHA-256.
    public func assertion(clientID: String, audience: String, now: Date, id: UUID = UUID()) throws -> String {
        let header = JSONValue.object([
            "alg": .string("PS256"), "typ": .string("JWT"), "x5t#S256": .string(summary.sha256Thumbprint),
        ])
        let issued = Int64(now.timeIntervalSince1970)
        let claims = JSONValue.object([
            "aud": .string(audience), "iss": .string(clientID), "sub": .string(clientID),
            "jti": .string(id.uuidString.lowercased()),
            "nbf": .int(issued), "iat": .int(issued), "exp": .int(issued + 300),
        ])
        let signingInput = Base64URL.encode(header.canonicalData()) + "." + Base64URL.encode(claims.canonicalData())
        let signature = try key.signature(for: SHA256.hash(data: Data(signingInput.utf8)), padding: .PSS)
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }
}

/// What is shown of a certificate: never the key.
public struct CertificateSummary: Sendable, Equatable {
    /// RFC 4514 subject (`CN=tenantpilot,O=Contoso`).
    public let subject: String
    /// SHA-1 of the DER in hex, as the Entra admin center shows it.
    public let thumbprint: String
    /// base64url SHA-256 of the DER: the assertion's `x5t#S256`.
    public let sha256Thumbprint: String
    public let notValidBefore: Date
    public let notValidAfter: Date

    /// `subject CN=…, thumbprint ABCD…, expires 2027-01-01T00:00:00Z`.
    public var line: String {
        "subject \(subject), thumbprint \(thumbprint), expires \(ISO8601.string(notValidAfter))"
    }
}

/// base64url without padding (RFC 7515).
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
