import Foundation

/// EC2 instance-profile credentials from IMDSv2: a session token from `PUT /latest/api/token`,
/// then the role name and its credentials under `/latest/meta-data/iam/security-credentials/`.
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it; `AWS_EC2_METADATA_DISABLED=true` turns it off.
public struct IMDSCredentialProvider: CredentialProvider {
    /// The instance metadata service address.
    public static let defaultEndpoint = "http://169.254.169.254"
    static let tokenTTLSeconds = "21600"

    private let environment: [String: String]
    private let transport: any HTTPTransport

    /// - Parameter transport: should have short timeouts: off EC2 nothing answers.
    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment.awsRelevant
        self.transport = transport
    }

    /// Fetches the instance role's credentials; `.notConfigured` when disabled or unreachable.
    public func credentials() async throws -> AWSCredentials {
        let source = "IMDS"
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw AWSError.credentials(source, AWSError.CredentialsCode.notConfigured, "AWS_EC2_METADATA_DISABLED is true")
        }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultEndpoint
        while base.hasSuffix("/") { base.removeLast() }

        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await get(
                base + "/latest/api/token", method: "PUT", headers: [("X-aws-ec2-metadata-token-ttl-seconds", Self.tokenTTLSeconds)])
        } catch let error as AWSError where error.kind == .transport || error.kind == .timeout {
            // Not on EC2 (or metadata blocked): the chain moves on.
            throw AWSError.credentials(source, AWSError.CredentialsCode.notConfigured, "instance metadata unreachable: \(error.message)")
        }
        guard tokenResponse.status == 200 else {
            throw AWSError.credentials(source, AWSError.CredentialsCode.notConfigured, "IMDSv2 token request answered HTTP \(tokenResponse.status)")
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self)
        let tokenHeader = [(name: "X-aws-ec2-metadata-token", value: token)]

        let roles = try await get(base + "/latest/meta-data/iam/security-credentials/", headers: tokenHeader)
        guard roles.status == 200,
            let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init),
            !role.isEmpty
        else {
            throw AWSError.credentials(source, AWSError.CredentialsCode.notConfigured, "no instance profile role (HTTP \(roles.status))")
        }
        let document = try await get(base + "/latest/meta-data/iam/security-credentials/\(URIEncoding.encode(role))", headers: tokenHeader)
        guard document.status == 200 else {
            throw AWSError.credentials(source, AWSError.CredentialsCode.fetchFailed, "role \(role) credentials answered HTTP \(document.status)")
        }
        return try CredentialDocuments.jsonCredentials(document.body, source: source)
    }

    private func get(_ url: String, method: String = "GET", headers: [(name: String, value: String)]) async throws -> HTTPResponse {
        guard let u = URL(string: url) else {
            throw AWSError.credentials("IMDS", AWSError.CredentialsCode.invalidConfiguration, "bad metadata URL \(url)")
        }
        return try await transport.send(HTTPRequest(method: method, url: u, headers: headers))
    }
}
