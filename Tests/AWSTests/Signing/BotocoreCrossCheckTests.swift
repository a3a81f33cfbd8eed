@testable import AWS
import Foundation
import Logging
import Testing

/// A case of Fixtures/botocore-sigv4.json, written by scripts/botocore-sigv4-vectors.py.
struct BotocoreCase: Decodable, Sendable, CustomStringConvertible {
    struct Credentials: Decodable, Sendable {
        var access_key_id: String
        var secret_access_key: String
        var session_token: String?
    }
    struct Expected: Decodable, Sendable {
        var url: String
        var headers: [[String]]
        var authorization: String
        var x_amz_date: String
        var x_amz_content_sha256: String?
        var x_amz_security_token: String?
        var canonical_request: String
    }
    struct File: Decodable {
        var timestamp: String
        var cases: [BotocoreCase]
        var presigned_cases: [PresignedCase]
    }

    var name: String
    var service: String
    var region: String
    var operation: String
    var method: String
    var path: String
    var query: [[String]]
    var headers: [[String]]
    var body: String
    var bucket: String?
    var environment: [String: String]
    var idempotent: Bool
    var credentials: Credentials
    var expected: Expected

    var description: String { name }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/botocore-sigv4.json")

    static func load() throws -> File {
        try JSONDecoder().decode(File.self, from: Data(contentsOf: fixture))
    }

    static var all: [BotocoreCase] { (try? load().cases) ?? [] }

    var awsOperation: AWSOperation {
        AWSOperation(
            service: AWSService(rawValue: service)!, region: region, name: operation, method: method, path: path,
            query: query.map { ($0[0], $0[1]) }, headers: headers.map { ($0[0], $0[1]) }, body: Array(body.utf8),
            bucket: bucket, idempotent: idempotent)
    }

    var awsCredentials: AWSCredentials {
        AWSCredentials(
            accessKeyID: credentials.access_key_id, secretAccessKey: credentials.secret_access_key,
            sessionToken: credentials.session_token)
    }
}

/// A presigned-URL case of the same fixture.
struct PresignedCase: Decodable, Sendable, CustomStringConvertible {
    struct Expected: Decodable, Sendable {
        var unsigned_url: String
        var presigned_url: String
    }
    var name: String
    var service: String
    var region: String
    var operation: String
    var method: String
    var path: String
    var query: [[String]]
    var bucket: String?
    var environment: [String: String]
    var credentials: BotocoreCase.Credentials
    var expires: Int
    var expected: Expected
    var description: String { name }

    static var all: [PresignedCase] { (try? BotocoreCase.load().presigned_cases) ?? [] }
}

@Suite("Cross-check with botocore")
struct BotocoreCrossCheckTests {
    @Test("the fixture is present")
    func fixturePresent() throws {
        #expect(try BotocoreCase.load().cases.count >= 20)
    }

    @Test("AWSClient builds botocore's request and SigV4Signer signs it identically", arguments: BotocoreCase.all)
    func matchesBotocore(_ c: BotocoreCase) throws {
        let pinned = try #require(ISO8601DateFormatter().date(from: try BotocoreCase.load().timestamp))
        let signer = SigV4Signer(now: { pinned })
        let client = AWSClient(
            credentials: nil, transport: CurlTransport(logger: Logger(label: "test")),
            endpoints: EndpointResolver(environment: c.environment), signer: signer, logger: Logger(label: "test"))
        let operation = c.awsOperation
        let (request, signingRegion) = try client.buildRequest(operation)

        #expect(request.url.absoluteString == c.expected.url)
        #expect(request.headers.filter { $0.name != "Host" }.map { [$0.name, $0.value] } == c.expected.headers)

        let signed = signer.sign(
            request, credentials: c.awsCredentials, region: signingRegion, service: operation.service.signingName,
            options: .forService(operation.service))
        #expect(signed.header("Authorization") == c.expected.authorization)
        #expect(signed.header("X-Amz-Date") == c.expected.x_amz_date)
        #expect(signed.header("x-amz-content-sha256") == c.expected.x_amz_content_sha256)
        #expect(signed.header("X-Amz-Security-Token") == c.expected.x_amz_security_token)

        var input = SigV4Signer.input(from: request)
        let result = signer.signHeaders(
            &input, credentials: c.awsCredentials, region: signingRegion, service: operation.service.signingName,
            options: .forService(operation.service))
        #expect(result.canonicalRequest == c.expected.canonical_request)
    }

    @Test("presigned S3 URLs equal botocore's", arguments: PresignedCase.all)
    func presignedMatchesBotocore(_ c: PresignedCase) async throws {
        let pinned = try #require(ISO8601DateFormatter().date(from: try BotocoreCase.load().timestamp))
        let credentials = AWSCredentials(
            accessKeyID: c.credentials.access_key_id, secretAccessKey: c.credentials.secret_access_key,
            sessionToken: c.credentials.session_token)
        let client = AWSClient(
            credentials: StaticCredentialProvider(credentials), transport: CurlTransport(logger: Logger(label: "test")),
            endpoints: EndpointResolver(environment: c.environment), signer: SigV4Signer(now: { pinned }),
            logger: Logger(label: "test"))
        let operation = AWSOperation(
            service: AWSService(rawValue: c.service)!, region: c.region, name: c.operation, method: c.method, path: c.path,
            query: c.query.map { ($0[0], $0[1]) }, bucket: c.bucket, idempotent: true)
        #expect(try client.buildRequest(operation).0.url.absoluteString == c.expected.unsigned_url)
        let url = try await client.presignedURL(for: operation, expires: c.expires)
        #expect(url.absoluteString == c.expected.presigned_url)
    }
}
