@testable import AWS
import Basics
import Foundation
import Logging
import Testing

/// The AWS shared files take LF and CRLF alike; nothing that holds a credential or the environment prints one.
@Suite("AWS: line endings of the shared files, and redaction")
struct AWSLineEndingAndRedactionTests {
    @Test("~/.aws/credentials and config with CRLF line endings and comments", arguments: ["\n", "\r\n"])
    func sharedFiles(newline: String) {
        let credentials =
            [
                "; keys", "[default]", "aws_access_key_id = AKIDEXAMPLE", "aws_secret_access_key = secret", "",
                "[other]", "aws_access_key_id = AKIDOTHER",
            ].joined(separator: newline) + newline
        let profiles = SharedConfigFiles.parse(credentials, isConfigFile: false)
        #expect(profiles["default"] == ["aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret"])
        #expect(profiles["other"] == ["aws_access_key_id": "AKIDOTHER"], "the last section too, with no carriage return in a value")
        let config = ["# regions", "[profile ops]", "region = us-west-1", "credential_process = /bin/echo x"].joined(separator: newline)
        #expect(SharedConfigFiles.parse(config, isConfigFile: true)["ops"] == ["region": "us-west-1", "credential_process": "/bin/echo x"])
    }

    @Test("providers, the client and the transport keep only AWS_ variables, and show none in a description or a dump")
    func redacted() throws {
        let environment = [
            "AWS_SECRET_ACCESS_KEY": "CANARY_SECRET", "AWS_SESSION_TOKEN": "CANARY_TOKEN", "AWS_ACCESS_KEY_ID": "AKIDCANARY",
            "SWITCHYARD_GIT_TOKEN": "CANARY_GIT", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let logger = Logger(label: "test")
        let transport = CurlTransport(configuration: .init(environment: environment), logger: logger)
        let provider = DefaultCredentialProvider(environment: environment, transport: transport, logger: logger)
        let client = AWSClient(
            credentials: provider, transport: transport, endpoints: EndpointResolver(environment: environment),
            retryPolicy: RetryPolicy(maxAttempts: 1), errorDecoder: AWSErrorDecoder.errorDecoder, logger: logger)
        let values: [Any] = [
            provider, client, transport, EndpointResolver(environment: environment), EnvironmentCredentialProvider(environment: environment),
            AWSCredentials(accessKeyID: "AKIDCANARY", secretAccessKey: "CANARY_SECRET", sessionToken: "CANARY_TOKEN"),
        ]
        for value in values {
            var dumped = ""
            dump(value, to: &dumped)
            for text in [String(describing: value), String(reflecting: value), dumped] {
                #expect(!text.contains("CANARY_SECRET") && !text.contains("CANARY_TOKEN") && !text.contains("CANARY_GIT"), "\(text)")
            }
        }
        #expect(
            environment.awsRelevant.keys.sorted() == [
                "AWS_ACCESS_KEY_ID", "AWS_EC2_METADATA_DISABLED", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HOME",
            ])
    }
}
