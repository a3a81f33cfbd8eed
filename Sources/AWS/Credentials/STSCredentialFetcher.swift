import Foundation
import Logging

/// Calls STS `AssumeRole` (signed with source credentials) and `AssumeRoleWithWebIdentity` (unsigned).
struct STSCredentialFetcher: Sendable {
    var transport: any HTTPTransport
    var endpoints: EndpointResolver
    var region: String
    var logger: Logger

    func assumeRole(
        source: any CredentialProvider, roleARN: String, sessionName: String, externalID: String?
    ) async throws -> AWSCredentials {
        var parameters: [(name: String, value: String)] = [
            ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN), ("RoleSessionName", sessionName),
        ]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        return try await call("AssumeRole", parameters, credentials: source, roleARN: roleARN)
    }

    func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String) async throws -> AWSCredentials {
        let parameters: [(name: String, value: String)] = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ]
        return try await call("AssumeRoleWithWebIdentity", parameters, credentials: nil, roleARN: roleARN)
    }

    private func call(
        _ name: String, _ parameters: [(name: String, value: String)], credentials: (any CredentialProvider)?,
        roleARN: String
    ) async throws -> AWSCredentials {
        let client = AWSClient(credentials: credentials, transport: transport, endpoints: endpoints, logger: logger)
        // Getting credentials changes nothing in the account: safe to retry.
        let operation = AWSOperation(
            service: .sts, region: region, name: name, method: "POST",
            body: Array(URIEncoding.queryString(parameters).utf8), idempotent: true)
        do {
            let response = try await client.send(operation)
            return try CredentialDocuments.stsCredentials(response.body, source: name)
        } catch var error as AWSError where error.kind != .credentials {
            error.message = "assuming role \(roleARN): " + (error.message.isEmpty ? error.code : error.message)
            error.kind = .credentials
            throw error
        }
    }

    /// A session name the SDKs would accept, unique enough per process.
    static func defaultSessionName(now: Date) -> String {
        "switchyard-\(Int(now.timeIntervalSince1970))"
    }
}
