import Foundation
import Logging

/// Credentials for a role, assumed with STS `AssumeRole` using source credentials (a profile's
/// `role_arn` + `source_profile`). Wrap it in `CachingCredentialProvider`.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    private let source: any CredentialProvider
    private let roleARN: String
    private let sessionName: String
    private let externalID: String?
    private let sts: STSCredentialFetcher

    /// - Parameters:
    ///   - region: the STS region (regional endpoint `sts.<region>.amazonaws.com`).
    ///   - environment: read for endpoint overrides (`AWS_ENDPOINT_URL_STS`).
    public init(
        source: any CredentialProvider, roleARN: String, sessionName: String? = nil, externalID: String? = nil,
        region: String, transport: any HTTPTransport, environment: [String: String], logger: Logger
    ) {
        self.source = source
        self.roleARN = roleARN
        self.sessionName = sessionName ?? STSCredentialFetcher.defaultSessionName(now: Date())
        self.externalID = externalID
        self.sts = STSCredentialFetcher(
            transport: transport, endpoints: EndpointResolver(environment: environment), region: region, logger: logger)
    }

    /// Assumes the role now.
    public func credentials() async throws -> AWSCredentials {
        try await sts.assumeRole(source: source, roleARN: roleARN, sessionName: sessionName, externalID: externalID)
    }
}
