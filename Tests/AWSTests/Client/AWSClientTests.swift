@testable import AWS
import Basics
import Foundation
import Logging
import Testing

/// Records requested sleeps instead of sleeping.
final class SleepRecorder: Sendable {
    private let delays = Locked<[Duration]>([])
    var all: [Duration] { delays.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void { { d in self.delays.withLock { $0.append(d) } } }
}

/// Records metrics-hook calls.
final class CallRecorder: Sendable {
    private let records = Locked<[AWSCallRecord]>([])
    var all: [AWSCallRecord] { records.withLock { $0 } }
    var hook: @Sendable (AWSCallRecord) -> Void { { r in self.records.withLock { $0.append(r) } } }
}

@Suite("AWSClient: signing, retries, errors")
struct AWSClientTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        sessionToken: "SESSIONTOKENSECRETVALUE1234567890")

    static func client(
        _ server: LoopbackServer, maxAttempts: Int = 3, sleeps: SleepRecorder = SleepRecorder(),
        calls: CallRecorder? = nil, logger: Logger = Logger(label: "test"), baseURL: String? = nil
    ) -> AWSClient {
        let env = ["AWS_ENDPOINT_URL": baseURL ?? server.baseURL]
        return AWSClient(
            credentials: StaticCredentialProvider(credentials), transport: CurlTransport(logger: logger),
            endpoints: EndpointResolver(environment: env),
            retryPolicy: RetryPolicy(maxAttempts: maxAttempts, random: { 0.5 }, sleep: sleeps.sleep),
            logger: logger, onCall: calls?.hook)
    }

    static let describe = AWSOperation(
        service: .rds, region: "eu-west-1", name: "DescribeGlobalClusters", method: "POST",
        body: Array("Action=DescribeGlobalClusters&Version=2014-10-31".utf8), idempotent: true)
    static let switchover = AWSOperation(
        service: .rds, region: "eu-west-1", name: "SwitchoverGlobalCluster", method: "POST",
        body: Array("Action=SwitchoverGlobalCluster&Version=2014-10-31".utf8), idempotent: false)

    static let unavailable = LoopbackServer.Response(
        status: 503,
        body: "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error><RequestId>r-1</RequestId></ErrorResponse>")
    static let throttled = LoopbackServer.Response(
        status: 400, body: "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>")

    /// Answers `failure` for the first `failures` requests, then 200.
    static func failing(_ failures: Int, with failure: LoopbackServer.Response) -> LoopbackServer.Handler {
        let count = Locked(0)
        return { _ in
            let n = count.withLock { c -> Int in
                c += 1
                return c
            }
            return .respond(n <= failures ? failure : .init(status: 200, body: "<ok/>"))
        }
    }

    @Test("a signed Query POST carries the standard headers")
    func signedHeaders() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200, body: "<ok/>")) }
        defer { server.stop() }
        let response = try await Self.client(server).send(Self.describe)
        #expect(String(decoding: response.body, as: UTF8.self) == "<ok/>")
        let request = try #require(server.requests.first)
        #expect(request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true)
        #expect(request.header("authorization")?.contains("/eu-west-1/rds/aws4_request") == true)
        #expect(request.header("x-amz-security-token") == Self.credentials.sessionToken)
        #expect(request.header("x-amz-date")?.count == 16)
        #expect(request.header("user-agent") == AWSClient.defaultUserAgent)
        #expect(request.header("content-type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.header("host") == "127.0.0.1:\(server.port)")
    }

    @Test("S3 requests carry x-amz-content-sha256")
    func s3PayloadHash() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200)) }
        defer { server.stop() }
        let op = AWSOperation(
            service: .s3, region: "eu-west-1", name: "GetPublicAccessBlock", query: [("publicAccessBlock", "")], bucket: "bkt", idempotent: true)
        _ = try await Self.client(server).send(op)
        let request = try #require(server.requests.first)
        #expect(request.target == "/bkt?publicAccessBlock=")
        #expect(request.header("x-amz-content-sha256") == SigV4Signer.emptyPayloadHash)
    }

    @Test("503 twice then 200: retried with standard backoff")
    func retriedThenSucceeds() async throws {
        let server = try LoopbackServer(handler: Self.failing(2, with: Self.unavailable))
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let calls = CallRecorder()
        _ = try await Self.client(server, sleeps: sleeps, calls: calls).send(Self.describe)
        #expect(server.requests.count == 3)
        // rand 0.5 × 2^(n-1) s
        #expect(sleeps.all == [.milliseconds(500), .seconds(1)])
        #expect(calls.all == [AWSCallRecord(service: .rds, operation: "DescribeGlobalClusters", outcome: .success, attempts: 3)])
    }

    @Test("gives up after the configured attempts with the last error")
    func givesUp() async throws {
        let server = try LoopbackServer(handler: Self.failing(10, with: Self.unavailable))
        defer { server.stop() }
        let calls = CallRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.client(server, maxAttempts: 4, calls: calls).send(Self.describe)
        }
        #expect(server.requests.count == 4)
        #expect(error?.code == "ServiceUnavailable")
        #expect(error?.httpStatus == 503)
        #expect(error?.requestID == "r-1")
        #expect(error?.operation == "DescribeGlobalClusters")
        #expect(calls.all.first?.outcome == .serviceError(code: "ServiceUnavailable"))
        #expect(calls.all.first?.attempts == 4)
    }

    @Test("throttling is retried even for a non-idempotent call")
    func throttlingRetriedForMutations() async throws {
        let server = try LoopbackServer(handler: Self.failing(2, with: Self.throttled))
        defer { server.stop() }
        _ = try await Self.client(server).send(Self.switchover)
        #expect(server.requests.count == 3)
    }

    @Test("a non-idempotent call is not re-sent after a 503")
    func noRetryAfterAmbiguous503() async throws {
        let server = try LoopbackServer(handler: Self.failing(1, with: Self.unavailable))
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.client(server).send(Self.switchover)
        }
        #expect(server.requests.count == 1)
        #expect(error?.httpStatus == 503)
    }

    @Test("a non-idempotent call is not re-sent after a dropped connection")
    func noRetryAfterDrop() async throws {
        let server = try LoopbackServer { _ in .drop }
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.client(server).send(Self.switchover)
        }
        #expect(server.requests.count == 1)
        #expect(error?.kind == .transport)
        #expect(error?.service == "rds")
    }

    @Test("a refused connection is retried even for a non-idempotent call")
    func refusedIsRetried() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200)) }
        defer { server.stop() }
        let refusing = try LoopbackServer.RefusingPort()
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.client(server, sleeps: sleeps, baseURL: "http://127.0.0.1:\(refusing.port)").send(Self.switchover)
        }
        withExtendedLifetime(refusing) {}
        #expect(error?.code == AWSError.TransportCode.connectionFailed)
        #expect(sleeps.all.count == 2)
    }

    @Test("a 4xx other than throttling is not retried")
    func clientErrorNotRetried() async throws {
        let server = try LoopbackServer { _ in
            .respond(
                .init(status: 404, headers: [("x-amz-request-id", "abc")], body: "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>"))
        }
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) { _ = try await Self.client(server).send(Self.describe) }
        #expect(server.requests.count == 1)
        #expect(
            error
                == AWSError(
                    kind: .service, service: "rds", operation: "DescribeGlobalClusters", code: "NoSuchBucket", message: "gone", requestID: "abc",
                    httpStatus: 404))
    }

    @Test("trace logs of signed calls never show the secret key, session token or signature")
    func logsAreRedacted() async throws {
        let server = try LoopbackServer(handler: Self.failing(1, with: Self.unavailable))
        defer { server.stop() }
        let capture = LogCapture()
        _ = try await Self.client(server, logger: capture.logger()).send(Self.describe)
        let logs = capture.text
        #expect(logs.contains("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE"))
        #expect(logs.contains("DescribeGlobalClusters"))
        #expect(!logs.contains(Self.credentials.secretAccessKey))
        #expect(!logs.contains(Self.credentials.sessionToken!))
        for request in server.requests {
            let auth = try #require(request.header("authorization"))
            let signature = String(auth[auth.range(of: "Signature=")!.upperBound...])
            #expect(!logs.contains(signature))
        }
    }
}

@Suite("AWSClient.standard")
struct AWSClientStandardTests {
    @Test("assembles chain, transport and endpoints from one environment")
    func standardAssembly() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200, body: "<ok/>")) }
        defer { server.stop() }
        let home = try TemporaryDirectory()
        let client = AWSClient.standard(
            environment: [
                "HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "AKIASTD",
                "AWS_SECRET_ACCESS_KEY": "stdsecret", "AWS_ENDPOINT_URL_CLOUDWATCH": server.baseURL,
            ], logger: Logger(label: "test"))
        _ = try await client.send(
            AWSOperation(
                service: .cloudwatch, region: "eu-west-1", name: "GetMetricData", method: "POST",
                body: Array("Action=GetMetricData&Version=2010-08-01".utf8), idempotent: true))
        #expect(server.requests.first?.header("authorization")?.contains("AKIASTD/") == true)
        #expect(server.requests.first?.header("authorization")?.contains("/eu-west-1/monitoring/aws4_request") == true)
    }
}
