import Foundation

/// How an app registration proves who it is to the authority (docs/operations.md §2): a client secret read
/// from its source, or a certificate whose key signs a client assertion.
public enum ClientCredential: Sendable, Hashable {
    case secret(SecretSource)
    case certificate(CertificateCredential)

    /// Safe to show: where the credential is read from, never the credential.
    public var description: String {
        switch self {
        case .secret(let source): source.description
        case .certificate(let certificate): certificate.description
        }
    }
}
