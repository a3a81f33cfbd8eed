/// Fixed credentials: long-term keys from configuration, or source credentials for a role.
public struct StaticCredentialProvider: CredentialProvider {
    private let value: AWSCredentials

    /// Always yields `credentials`.
    public init(_ credentials: AWSCredentials) { value = credentials }

    /// The fixed credentials.
    public func credentials() async throws -> AWSCredentials { value }
}
