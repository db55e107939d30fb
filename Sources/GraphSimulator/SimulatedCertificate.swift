import Crypto
import Foundation
import TenantPilotCore
import X509
import _CryptoExtras

/// Self-signed certificates with RSA keys for tests and the demo: what an admin uploads to an
/// app registration, and the key that stays with TenantPilot.
public struct SimulatedCertificate: Sendable {
    /// `-----BEGIN CERTIFICATE-----…`
    public let certificatePEM: String
    /// `-----BEGIN PRIVATE KEY-----…` (PKCS #8).
    public let privateKeyPEM: String

    /// A new key pair and a certificate for it, valid from `notValidBefore` to `notValidAfter`.
    public static func make(
        commonName: String = "tenantpilot", notValidBefore: Date = Date().addingTimeInterval(-3600),
        notValidAfter: Date = Date().addingTimeInterval(365 * 86_400)
    ) throws -> SimulatedCertificate {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            CommonName(commonName)
            OrganizationName("Contoso")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: certificateKey.publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter, issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions {}, issuerPrivateKey: certificateKey)
        return SimulatedCertificate(
            certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: key.pkcs8PEMRepresentation)
    }
}

/// Checks client assertions the way the Microsoft identity platform does for certificate
/// credentials: a JWT signed PS256 (or RS256) by the key of a registered certificate named by
/// its `x5t#S256` (or `x5t`), for this token endpoint, not expired.
struct AssertionVerifier: Sendable {
    /// The registered certificates' keys and expiry, by base64url SHA-256 of their DER.
    let certificates: [String: (key: _RSA.Signing.PublicKey, expires: Date)]

    init(pems: [String]) {
        var certificates: [String: (key: _RSA.Signing.PublicKey, expires: Date)] = [:]
        for pem in pems {
            guard let certificate = try? Certificate(pemEncoded: pem),
                let der = try? certificate.serializeAsPEM().derBytes,
                let key = _RSA.Signing.PublicKey(certificate.publicKey)
            else { continue }
            certificates[Base64URL.encode(Data(SHA256.hash(data: der)))] = (key, certificate.notValidAfter)
        }
        self.certificates = certificates
    }

    /// Nil when the assertion is good; else the AADSTS error Entra would answer.
    func problem(with assertion: String, clientID: String?, audience: String, now: Date) -> (
        code: String, description: String
    )? {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
            let claimsData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]), let header = try? TenantPilotCore.JSONValue.parse(headerData),
            let claims = try? TenantPilotCore.JSONValue.parse(claimsData)
        else {
            return ("invalid_request", "AADSTS50027: JWT token is invalid or malformed.")
        }
        guard let thumbprint = header["x5t#S256"]?.stringValue, let (key, expires) = certificates[thumbprint] else {
            return (
                "invalid_client",
                "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
            )
        }
        guard expires > now else {
            return ("invalid_client", "AADSTS700027: The certificate used to sign the client assertion has expired.")
        }
        let digest = SHA256.hash(data: Data((parts[0] + "." + parts[1]).utf8))
        let padding: _RSA.Signing.Padding
        switch header["alg"]?.stringValue {
        case "PS256": padding = .PSS
        case "RS256": padding = .insecurePKCS1v1_5
        default: return ("invalid_request", "AADSTS5002738: Invalid JWT token. 'alg' is not supported.")
        }
        guard
            key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: padding)
        else {
            return (
                "invalid_client", "AADSTS7000274: Key was found, but use of the key to verify the signature failed."
            )
        }
        guard claims["aud"]?.stringValue == audience else {
            return (
                "invalid_client",
                "AADSTS700212: No matching federated identity record found for presented assertion audience."
            )
        }
        if let clientID, claims["iss"]?.stringValue != clientID || claims["sub"]?.stringValue != clientID {
            return ("invalid_client", "AADSTS700023: Client assertion audience claim does not match Realm issuer.")
        }
        func seconds(_ name: String) -> Double? {
            switch claims[name] {
            case .int(let value)?: Double(value)
            case .double(let value)?: value
            default: nil
            }
        }
        let skew = 300.0
        guard let expiry = seconds("exp"), expiry > now.timeIntervalSince1970 - skew,
            (seconds("nbf") ?? 0) <= now.timeIntervalSince1970 + skew
        else {
            return ("invalid_client", "AADSTS700024: Client assertion is not within its valid time range.")
        }
        return nil
    }
}
