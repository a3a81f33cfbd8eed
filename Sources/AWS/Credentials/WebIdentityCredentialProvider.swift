import Foundation
import Logging

/// Credentials from an OIDC token file (EKS IRSA, GitHub Actions…) exchanged with STS
/// `AssumeRoleWithWebIdentity`, unsigned. The token file is read at every refresh: it rotates.
public struct WebIdentityCredentialProvider: CredentialProvider {
    private let tokenFile: String
    private let roleARN: String
    private let sessionName: String
    private let sts: STSCredentialFetcher

    /// - Parameters:
    ///   - region: the STS region.
    ///   - environment: read for endpoint overrides (`AWS_ENDPOINT_URL_STS`).
    public init(
        tokenFile: String, roleARN: String, sessionName: String? = nil, region: String,
        transport: any HTTPTransport, environment: [String: String], logger: Logger
    ) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName ?? STSCredentialFetcher.defaultSessionName(now: Date())
        self.sts = STSCredentialFetcher(
            transport: transport, endpoints: EndpointResolver(environment: environment), region: region, logger: logger)
    }

    /// From `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`; nil when not set.
    public static func fromEnvironment(
        _ environment: [String: String], region: String, transport: any HTTPTransport, logger: Logger
    ) -> WebIdentityCredentialProvider? {
        guard let file = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !file.isEmpty,
            let role = environment["AWS_ROLE_ARN"], !role.isEmpty
        else { return nil }
        return WebIdentityCredentialProvider(
            tokenFile: file, roleARN: role, sessionName: environment["AWS_ROLE_SESSION_NAME"], region: region,
            transport: transport, environment: environment, logger: logger)
    }

    /// Reads the token and exchanges it.
    public func credentials() async throws -> AWSCredentials {
        let data: Data
        do { data = try SecretFile.read(tokenFile) } catch {
            throw AWSError.credentials(
                "WebIdentity", AWSError.CredentialsCode.invalidConfiguration, "cannot read web identity token file \(error)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token)
    }
}
