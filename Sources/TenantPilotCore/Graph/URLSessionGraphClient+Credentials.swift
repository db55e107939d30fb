import Foundation

extension URLSessionGraphClient {
    /// The form fields that prove the app's identity: `client_secret`, or a signed
    /// `client_assertion` (docs/operations.md §2). The credential is read here, at run time, and goes nowhere
    /// but into the token request.
    func credentialFields(tokenURL: URL) -> Result<[(String, String)], TenantPilotError> {
        switch connection.credential {
        case .secret(let source):
            do {
                return .success([("client_secret", try source.read(environment: dependencies.environment))])
            } catch {
                return .failure(error)
            }
        case .certificate(let credential):
            let loaded: LoadedCertificate
            do {
                loaded = try credential.load()
            } catch {
                return .failure(.failed(error.message, code: .credentialsUnavailable))
            }
            let summary = loaded.summary
            let now = dependencies.clock.now()
            if summary.notValidAfter <= now {
                return .failure(
                    .failed(
                        "the certificate \(credential.certificateFile) (thumbprint \(summary.thumbprint)) expired on "
                            + "\(ISO8601.string(summary.notValidAfter)); upload a new one to the app registration and "
                            + "point the tenant at it",
                        code: .graphAuthFailed))
            }
            do {
                // The assertion's times are the system clock's: the authority checks them against its own.
                let assertion = try loaded.assertion(
                    clientID: connection.clientID, audience: tokenURL.absoluteString, now: Date())
                return .success([
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", assertion),
                ])
            } catch {
                return .failure(
                    .failed(
                        "cannot sign a client assertion with the key in \(credential.keyFile)",
                        code: .credentialsUnavailable))
            }
        }
    }
}
