@testable import AWS
import Basics
import Foundation
import Logging
import Testing

@Suite("A host clock off AWS's is named as the cause, for every service")
struct ClockSkewTests {
    /// An HTTP date `offset` seconds from now, as AWS's `Date` header has it.
    static func httpDate(_ offset: TimeInterval) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date().addingTimeInterval(offset))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var operation: AWSOperation
        var status: Int
        var body: String
        var testDescription: String { "\(operation.service.rawValue) \(operation.name) HTTP \(status)" }
    }

    static let refusals: [Refusal] = [
        // S3 answers a HEAD with a 403 and no body at all.
        Refusal(
            operation: AWSOperation(service: .s3, region: "us-east-1", name: "HeadBucket", method: "HEAD", bucket: "b", idempotent: true),
            status: 403, body: ""),
        Refusal(
            operation: AWSOperation(service: .s3, region: "us-east-1", name: "GetPublicAccessBlock", bucket: "b", idempotent: true),
            status: 403,
            body:
                "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>"
        ),
        Refusal(
            operation: AWSOperation(service: .rds, region: "us-west-1", name: "DescribeGlobalClusters", method: "POST", idempotent: true),
            status: 403,
            body:
                "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>"
        ),
        Refusal(
            operation: AWSOperation(service: .cloudfront, region: "us-east-1", name: "GetDistributionConfig", idempotent: true),
            status: 403, body: "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>"),
        Refusal(
            operation: AWSOperation(service: .sts, region: "us-east-1", name: "GetCallerIdentity", method: "POST", idempotent: true),
            status: 400, body: "<ErrorResponse><Error><Code>RequestExpired</Code><Message>Request has expired.</Message></Error></ErrorResponse>"),
        Refusal(
            operation: AWSOperation(service: .cloudwatch, region: "us-east-1", name: "GetMetricData", method: "POST", idempotent: true),
            status: 403, body: "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>"),
        Refusal(
            operation: AWSOperation(service: .dynamodb, region: "eu-west-1", name: "GetItem", method: "POST", idempotent: true),
            status: 400, body: #"{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"Signature expired"}"#),
    ]

    static func client(_ server: LoopbackServer) -> AWSClient {
        AWSClient(
            credentials: StaticCredentialProvider(AWSClientTests.credentials), transport: CurlTransport(logger: Logger(label: "test")),
            endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": server.baseURL]),
            retryPolicy: RetryPolicy(maxAttempts: 1), errorDecoder: AWSErrorDecoder.errorDecoder, logger: Logger(label: "test"))
    }

    @Test("a signature or time refusal with a Date 20 minutes off says the host clock is off, by how much", arguments: refusals)
    func skewNamed(refusal: Refusal) async throws {
        // The Date is made when the answer is (a loaded machine may take long to send the request).
        let sent = Locked("")
        let server = try LoopbackServer { _ in
            let date = Self.httpDate(-1200)
            sent.withLock { $0 = date }
            return .respond(.init(status: refusal.status, headers: [("Date", date), ("Content-Type", "application/xml")], body: refusal.body))
        }
        defer { server.stop() }
        let client = Self.client(server)
        let error = try await #require(throws: AWSError.self) { try await client.send(refusal.operation) }
        #expect(error.message.hasPrefix("the host clock is 1"), "\(error)")
        #expect(error.message.contains("seconds off AWS (ahead of it; Date: \(sent.withLock { $0 }))"), "\(error)")
        // At least the 20 minutes; more by however long a loaded machine took to read the answer.
        #expect((1199...1500).contains(error.clockSkew ?? 0), "\(error.clockSkew ?? 0)")
        #expect(error.service == refusal.operation.service.rawValue)
        #expect(client.clockSkewError == error, "the client remembers it, for the command to exit 1")
    }

    @Test("the same refusal with a Date close to the host's is left as AWS worded it (a wrong key, a denied call)", arguments: refusals)
    func noSkew(refusal: Refusal) async throws {
        guard !ClockSkew.timeCodes.contains(where: { refusal.body.contains($0) }) else { return }
        let server = try LoopbackServer { _ in .respond(.init(status: refusal.status, headers: [("Date", Self.httpDate(-2))], body: refusal.body)) }
        defer { server.stop() }
        let client = Self.client(server)
        let error = try await #require(throws: AWSError.self) { try await client.send(refusal.operation) }
        #expect(!error.message.contains("host clock"))
        #expect(error.clockSkew == nil)
        #expect(client.clockSkewError == nil)
    }

    @Test("a host behind AWS is said to be behind; a time code is skew even under 5 minutes")
    func behind() {
        let operation = AWSOperation(service: .s3, region: "us-east-1", name: "HeadBucket", method: "HEAD", bucket: "b", idempotent: true)
        let date = Self.httpDate(90)
        let response = HTTPResponse(status: 403, headers: [("Date", date)], body: [])
        var error = AWSErrorDecoder.decode(operation: operation, response: response)
        #expect(ClockSkew.annotate(error, response: response).clockSkew == nil, "90 s is within SigV4's window for an AccessDenied")
        error.code = "RequestTimeTooSkewed"
        let worded = ClockSkew.annotate(error, response: response)
        #expect((-91 ... -89).contains(worded.clockSkew ?? 0))
        #expect(worded.message.contains("seconds off AWS (behind it; Date: \(date))"))
    }
}
