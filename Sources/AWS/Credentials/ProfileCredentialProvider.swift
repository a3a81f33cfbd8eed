import Basics
import Foundation
import Logging

/// Credentials a named profile describes: static keys, `role_arn` with `source_profile` or
/// `credential_source`, `role_arn` with `web_identity_token_file`, or `credential_process`.
public struct ProfileCredentialProvider: CredentialProvider {
    private let profile: String
    private let explicitlySelected: Bool
    private let files: SharedConfigFiles
    private let environment: [String: String]
    private let transport: any HTTPTransport
    private let metadataTransport: any HTTPTransport
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let resolved: Locked<(any CredentialProvider)?> = Locked(nil)

    /// - Parameters:
    ///   - profile: the profile; `AWS_PROFILE` (then `default`) when nil.
    ///   - files: the parsed files; loaded from the environment's paths when nil.
    ///   - transport: for STS; `metadataTransport` (short timeouts) for `credential_source` metadata.
    public init(
        profile: String? = nil, files: SharedConfigFiles? = nil, environment: [String: String],
        transport: any HTTPTransport, metadataTransport: (any HTTPTransport)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        let selected = profile ?? environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        self.profile = selected ?? "default"
        self.explicitlySelected = selected != nil
        self.files = files ?? SharedConfigFiles.load(environment: environment)
        self.environment = environment.awsRelevant
        self.transport = transport
        self.metadataTransport = metadataTransport ?? transport
        self.now = now
        self.logger = logger
    }

    /// The profile's credentials; `.notConfigured` when the default profile has none.
    public func credentials() async throws -> AWSCredentials {
        if let provider = resolved.withLock({ $0 }) { return try await provider.credentials() }
        guard let provider = try provider(for: profile, visited: []) else {
            if explicitlySelected && files.profiles[profile] == nil {
                throw AWSError.credentials(
                    "Profile", AWSError.CredentialsCode.invalidConfiguration,
                    "profile \(profile) is not in the shared config or credentials file")
            }
            throw AWSError.credentials("Profile", AWSError.CredentialsCode.notConfigured, "profile \(profile) has no credentials")
        }
        resolved.withLock { $0 = provider }
        do {
            return try await provider.credentials()
        } catch let error as AWSError where error.kind == .credentials && !error.message.hasPrefix("profile ") {
            // Name the profile, so the person knows which entry of their config failed.
            throw AWSError.credentials(error.operation, error.code, "profile \(profile): \(error.message)")
        }
    }

    /// The STS region a profile implies: the environment's, else the profile's `region`, else us-east-1.
    func region(of profile: [String: String]) -> String {
        environment["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["AWS_DEFAULT_REGION"].flatMap { $0.isEmpty ? nil : $0 }
            ?? profile["region"] ?? files.profiles["default"]?["region"] ?? "us-east-1"
    }

    private func provider(for name: String, visited: [String]) throws -> (any CredentialProvider)? {
        guard let keys = files.profiles[name] else { return nil }
        if let roleARN = keys["role_arn"] {
            return try roleProvider(name, keys, roleARN: roleARN, visited: visited)
        }
        if let staticCredentials = Self.staticCredentials(keys) { return StaticCredentialProvider(staticCredentials) }
        if let command = keys["credential_process"], !command.isEmpty {
            return CachingCredentialProvider(ProcessCredentialProvider(command: command), now: now, logger: logger)
        }
        if keys["sso_session"] != nil || keys["sso_start_url"] != nil || keys["sso_account_id"] != nil {
            throw invalid(
                "profile \(name) is an IAM Identity Center (SSO) profile; SSO profiles are not supported yet: "
                    + "export credentials (`aws configure export-credentials --profile \(name) --format env`) or use a profile with "
                    + "credential_process or role_arn")
        }
        return nil
    }

    private func roleProvider(
        _ name: String, _ keys: [String: String], roleARN: String, visited: [String]
    ) throws -> any CredentialProvider {
        let region = region(of: keys)
        if let tokenFile = keys["web_identity_token_file"] {
            return CachingCredentialProvider(
                WebIdentityCredentialProvider(
                    tokenFile: tokenFile, roleARN: roleARN, sessionName: keys["role_session_name"], region: region,
                    transport: transport, environment: environment, logger: logger),
                now: now, logger: logger)
        }
        let source: any CredentialProvider
        if let sourceProfile = keys["source_profile"] {
            if visited.contains(sourceProfile) && sourceProfile != name {
                throw invalid("source_profile cycle: \((visited + [name, sourceProfile]).joined(separator: " -> "))")
            }
            if sourceProfile == name {
                // A profile may name itself: its own static keys are the source.
                guard let own = Self.staticCredentials(keys) else { throw invalid("profile \(name) sources itself but has no keys") }
                source = StaticCredentialProvider(own)
            } else {
                guard let p = try provider(for: sourceProfile, visited: visited + [name]) else {
                    throw invalid("source_profile \(sourceProfile) of profile \(name) has no credentials")
                }
                source = p
            }
        } else if let credentialSource = keys["credential_source"] {
            switch credentialSource {
            case "Environment": source = EnvironmentCredentialProvider(environment: environment)
            case "Ec2InstanceMetadata":
                source = CachingCredentialProvider(
                    IMDSCredentialProvider(environment: environment, transport: metadataTransport), now: now, logger: logger)
            case "EcsContainer":
                source = CachingCredentialProvider(
                    ContainerCredentialProvider(environment: environment, transport: metadataTransport), now: now, logger: logger)
            default: throw invalid("unsupported credential_source \(credentialSource) in profile \(name)")
            }
        } else {
            throw invalid("profile \(name) has role_arn but neither source_profile nor credential_source")
        }
        return CachingCredentialProvider(
            AssumeRoleCredentialProvider(
                source: source, roleARN: roleARN, sessionName: keys["role_session_name"], externalID: keys["external_id"],
                region: region, transport: transport, environment: environment, logger: logger),
            now: now, logger: logger)
    }

    static func staticCredentials(_ keys: [String: String]) -> AWSCredentials? {
        guard let id = keys["aws_access_key_id"], let secret = keys["aws_secret_access_key"], !id.isEmpty, !secret.isEmpty
        else { return nil }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: keys["aws_session_token"])
    }

    private func invalid(_ message: String) -> AWSError {
        AWSError.credentials("Profile", AWSError.CredentialsCode.invalidConfiguration, message)
    }
}
