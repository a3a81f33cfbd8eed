import Foundation

/// ECS task / EKS Pod Identity credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on
/// 169.254.170.2, or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the token from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: CredentialProvider {
    /// The ECS agent's credentials endpoint, base of the relative URI.
    public static let ecsBaseURL = "http://169.254.170.2"

    private let environment: [String: String]
    private let transport: any HTTPTransport
    private let relativeBaseURL: String

    /// - Parameter relativeBaseURL: where relative URIs point; tests aim it at a loopback server.
    public init(
        environment: [String: String], transport: any HTTPTransport, relativeBaseURL: String = ecsBaseURL
    ) {
        self.environment = environment.awsRelevant
        self.transport = transport
        self.relativeBaseURL = relativeBaseURL
    }

    /// Whether either container variable is set.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        !(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] ?? "").isEmpty
            || !(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] ?? "").isEmpty
    }

    /// Fetches the container credentials.
    public func credentials() async throws -> AWSCredentials {
        let source = "Container"
        var headers: [(name: String, value: String)] = []
        let url: URL
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            guard let u = URL(string: relativeBaseURL + relative) else {
                throw AWSError.credentials(source, AWSError.CredentialsCode.invalidConfiguration, "bad AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            }
            url = u
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            guard let u = URL(string: full), Self.isAllowedFullURI(u) else {
                throw AWSError.credentials(
                    source, AWSError.CredentialsCode.invalidConfiguration,
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, loopback, or the ECS/EKS agent address")
            }
            url = u
        } else {
            throw AWSError.credentials(source, AWSError.CredentialsCode.notConfigured, "no container credentials URI")
        }
        if let token = try authorizationToken() { headers.append(("Authorization", token)) }

        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers))
        } catch let error as AWSError {
            throw AWSError.credentials(source, AWSError.CredentialsCode.fetchFailed, "container credentials endpoint: \(error.message)")
        }
        guard response.status == 200 else {
            throw AWSError.credentials(
                source, AWSError.CredentialsCode.fetchFailed, "container credentials endpoint answered HTTP \(response.status)")
        }
        return try CredentialDocuments.jsonCredentials(response.body, source: source)
    }

    private func authorizationToken() throws -> String? {
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            let data: Data
            do { data = try SecretFile.read(file) } catch {
                throw AWSError.credentials("Container", AWSError.CredentialsCode.invalidConfiguration, "cannot read \(error)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// As the SDKs allow: HTTPS anywhere, plain HTTP only to loopback or the ECS/EKS agent,
    /// so a token is never sent in clear across a network.
    static func isAllowedFullURI(_ url: URL) -> Bool {
        if url.scheme == "https" { return true }
        guard url.scheme == "http", let host = url.host() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
            || host == "169.254.170.2" || host == "169.254.170.23" || host.lowercased().contains("fd00:ec2::23")
    }
}
