import Foundation

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    private let environment: [String: String]

    /// - Parameter environment: the process environment, or a fixed one in tests.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment.awsRelevant
    }

    /// The environment's keys; `.notConfigured` when there are none, an error when only half are set.
    public func credentials() async throws -> AWSCredentials {
        let id = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case (nil, nil):
            throw AWSError.credentials("Environment", AWSError.CredentialsCode.notConfigured, "AWS_ACCESS_KEY_ID is not set")
        case (let id?, let secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        default:
            throw AWSError.credentials(
                "Environment", AWSError.CredentialsCode.invalidConfiguration,
                "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")
        }
    }
}
