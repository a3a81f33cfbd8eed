import Foundation
import Logging

/// The standard credential chain, in the SDKs' order: environment keys, web identity
/// (`AWS_WEB_IDENTITY_TOKEN_FILE`), the shared config/credentials profile, container
/// credentials, EC2 instance metadata. The first configured source wins and is kept;
/// temporary credentials are cached and refreshed 5 minutes before expiry.
public actor DefaultCredentialProvider: CredentialProvider {
    private let environment: [String: String]
    private let transport: any HTTPTransport
    private let metadataTransport: any HTTPTransport
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let containerBaseURL: String
    private var chosen: (name: String, provider: any CredentialProvider)?

    /// - Parameters:
    ///   - transport: for STS calls; a `CurlTransport` when nil.
    ///   - metadataTransport: for container and instance metadata; a `CurlTransport` with 1 s / 2 s timeouts when nil.
    ///   - containerBaseURL: base of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`; tests move it to loopback.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, transport: (any HTTPTransport)? = nil,
        metadataTransport: (any HTTPTransport)? = nil, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger, containerBaseURL: String = ContainerCredentialProvider.ecsBaseURL
    ) {
        self.environment = environment.awsRelevant
        self.transport = transport ?? CurlTransport(configuration: .init(environment: environment), logger: logger)
        self.metadataTransport =
            metadataTransport
            ?? CurlTransport(
                configuration: .init(connectTimeout: .seconds(1), timeout: .seconds(2), environment: environment),
                logger: logger)
        self.now = now
        self.logger = logger
        self.containerBaseURL = containerBaseURL
    }

    /// Credentials from the first configured source.
    /// - Throws: `AWSError` `.credentials`: `NoCredentials` when no source is configured, or the configured source's failure.
    public func credentials() async throws -> AWSCredentials {
        if let chosen { return try await chosen.provider.credentials() }
        for (name, provider) in links() {
            do {
                let credentials = try await provider.credentials()
                logger.debug(
                    "credentials resolved", metadata: ["aws.credential_source": "\(name)", "aws.access_key_id": "\(credentials.accessKeyID)"])
                chosen = (name, provider)
                return credentials
            } catch let error as AWSError where error.isCredentialsNotConfigured {
                logger.trace("credential source not configured", metadata: ["aws.credential_source": "\(name)", "reason": "\(error.message)"])
            }
        }
        throw AWSError.credentials(
            "DefaultChain", AWSError.CredentialsCode.noCredentials,
            "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE+AWS_ROLE_ARN, "
                + "a profile in ~/.aws/credentials or ~/.aws/config (AWS_PROFILE), or run where container or instance credentials exist")
    }

    /// The name of the source in use, once one was found (for diagnostics).
    public var sourceName: String? { chosen?.name }

    private func links() -> [(String, any CredentialProvider)] {
        var links: [(String, any CredentialProvider)] = [("Environment", EnvironmentCredentialProvider(environment: environment))]
        let profile = ProfileCredentialProvider(
            environment: environment, transport: transport, metadataTransport: metadataTransport, now: now, logger: logger)
        if let webIdentity = WebIdentityCredentialProvider.fromEnvironment(
            environment, region: profile.region(of: [:]), transport: transport, logger: logger)
        {
            links.append(("WebIdentity", CachingCredentialProvider(webIdentity, now: now, logger: logger)))
        }
        links.append(("Profile", profile))
        if ContainerCredentialProvider.isConfigured(environment) {
            links.append(
                (
                    "Container",
                    CachingCredentialProvider(
                        ContainerCredentialProvider(environment: environment, transport: metadataTransport, relativeBaseURL: containerBaseURL),
                        now: now, logger: logger)
                ))
        }
        links.append(
            (
                "IMDS",
                CachingCredentialProvider(IMDSCredentialProvider(environment: environment, transport: metadataTransport), now: now, logger: logger)
            ))
        return links
    }
}
