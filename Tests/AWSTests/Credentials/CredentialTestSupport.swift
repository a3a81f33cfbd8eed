@testable import AWS
import Foundation
import Logging

/// Canned answers of the services credential sources call, for the loopback server.
enum CredentialFixtures {
    static let expiration = "2030-01-01T00:00:00Z"

    static func stsResponse(_ action: String, id: String, secret: String, token: String) -> LoopbackServer.Response {
        .init(
            status: 200, headers: [("Content-Type", "text/xml")],
            body: """
                <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <\(action)Result>
                    <Credentials>
                      <AccessKeyId>\(id)</AccessKeyId>
                      <SecretAccessKey>\(secret)</SecretAccessKey>
                      <SessionToken>\(token)</SessionToken>
                      <Expiration>\(expiration)</Expiration>
                    </Credentials>
                  </\(action)Result>
                </\(action)Response>
                """)
    }

    static func json(id: String, secret: String, token: String) -> LoopbackServer.Response {
        .init(
            status: 200, headers: [("Content-Type", "application/json")],
            body: """
                {"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"\(id)","SecretAccessKey":"\(secret)","Token":"\(token)","Expiration":"\(expiration)"}
                """)
    }

    /// An environment that can find nothing by accident: an empty HOME and metadata off.
    static func isolatedEnvironment(_ home: TemporaryDirectory, _ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { $1 }
    }

    static func chain(
        _ environment: [String: String], logger: Logger = Logger(label: "test"), containerBaseURL: String = ContainerCredentialProvider.ecsBaseURL
    ) -> DefaultCredentialProvider {
        let transport = CurlTransport(logger: logger)
        return DefaultCredentialProvider(
            environment: environment, transport: transport, metadataTransport: transport, logger: logger,
            containerBaseURL: containerBaseURL)
    }
}
