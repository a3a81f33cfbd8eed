@testable import AWS
import Basics
import Foundation
import Logging
import Testing

@Suite("CurlTransport on a loopback server")
struct CurlTransportTests {
    let logger = Logger(label: "test")

    @Test("a GET returns status, headers and body")
    func getRoundTrip() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200, headers: [("X-Test", "yes")], body: "hello")) }
        defer { server.stop() }
        let transport = CurlTransport(logger: logger)
        let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "\(server.baseURL)/a/b?x=1")!))
        #expect(response.status == 200)
        #expect(response.header("x-test") == "yes")
        #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        #expect(server.requests.first?.target == "/a/b?x=1")
    }

    @Test("a response past its cap fails the call with ResponseTooLarge, and nothing of it is kept")
    func responseCap() async throws {
        let big = String(repeating: "<a>", count: 400_000)  // 1.2 MB
        let server = try LoopbackServer { _ in .respond(.init(status: 200, body: big)) }
        defer { server.stop() }
        let transport = CurlTransport(logger: logger)
        let capped = HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/")!, maxResponseBytes: 64 << 10)
        let error = await #expect(throws: AWSError.self) { try await transport.send(capped) }
        #expect(error?.code == "ResponseTooLarge")
        #expect(error?.kind == .malformedResponse, "never retried, never read")
        let whole = try await transport.send(HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/")!))
        #expect(whole.body.count == big.utf8.count, "under the default cap it is read whole")
    }

    @Test("a POST sends body and headers, and no unsigned Expect or default Content-Type")
    func postBody() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200)) }
        defer { server.stop() }
        let transport = CurlTransport(logger: logger)
        let body = Array(String(repeating: "Action=Test&", count: 200).utf8)
        _ = try await transport.send(
            HTTPRequest(method: "POST", url: URL(string: server.baseURL + "/")!, headers: [("X-Custom", "v")], body: body))
        _ = try await transport.send(HTTPRequest(method: "PUT", url: URL(string: server.baseURL + "/token")!))
        let requests = server.requests
        #expect(requests[0].method == "POST")
        #expect(requests[0].body == body)
        #expect(requests[0].header("x-custom") == "v")
        #expect(requests[0].header("expect") == nil)
        #expect(requests[0].header("content-type") == nil)
        #expect(requests[1].method == "PUT")
        #expect(requests[1].body.isEmpty)
    }

    @Test("sequential requests reuse one connection")
    func connectionReuse() async throws {
        let server = try LoopbackServer { _ in .respond(.init(status: 200, body: "ok")) }
        defer { server.stop() }
        let transport = CurlTransport(logger: logger)
        for _ in 0..<3 {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/")!))
        }
        #expect(Set(server.requests.map(\.connection)).count == 1)
    }

    @Test("a refused connection is a transport error that was certainly not sent")
    func connectionRefused() async throws {
        let refusing = try LoopbackServer.RefusingPort()
        let transport = CurlTransport(logger: logger)
        let error = await #expect(throws: AWSError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(refusing.port)/")!))
        }
        withExtendedLifetime(refusing) {}
        #expect(error?.kind == .transport)
        #expect(error?.code == AWSError.TransportCode.connectionFailed)
        #expect(error?.requestCertainlyNotSent == true)
    }

    @Test("no answer within the total timeout is an ambiguous timeout")
    func timeout() async throws {
        let server = try LoopbackServer { _ in .hang }
        defer { server.stop() }
        let transport = CurlTransport(configuration: .init(timeout: .milliseconds(300)), logger: logger)
        let error = await #expect(throws: AWSError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/")!))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.code == AWSError.TransportCode.timedOut)
        #expect(error?.requestCertainlyNotSent == false)
    }

    @Test("no answer on a reused connection is an ambiguous timeout, not a connect timeout (a promotion was sent twice)")
    func timeoutOnReusedConnection() async throws {
        let server = try LoopbackServer { request in request.target == "/hang" ? .hang : .respond(.init(status: 200, body: "ok")) }
        defer { server.stop() }
        let transport = CurlTransport(configuration: .init(timeout: .milliseconds(300)), logger: logger)
        _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/ok")!))
        let error = await #expect(throws: AWSError.self) {
            _ = try await transport.send(HTTPRequest(method: "POST", url: URL(string: server.baseURL + "/hang")!, body: Array("Action=X".utf8)))
        }
        #expect(Set(server.requests.map(\.connection)).count == 1, "the second request reused the first one's connection")
        #expect(error?.code == AWSError.TransportCode.timedOut)
        #expect(error?.requestCertainlyNotSent == false)
        #expect(error.map { RetryClassifier.isRetryable($0, idempotent: false) } == false)
    }

    @Test("a connection closed without an answer is an ambiguous transport error")
    func dropped() async throws {
        let server = try LoopbackServer { _ in .drop }
        defer { server.stop() }
        let transport = CurlTransport(logger: logger)
        let error = await #expect(throws: AWSError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/")!))
        }
        #expect(error?.kind == .transport)
        #expect(error?.code == AWSError.TransportCode.connectionLost)
    }

    @Test("TLS is verified: https to a server that cannot complete a trusted handshake is a TLS failure", arguments: [nil, "/nonexistent/ca.pem"])
    func tlsFailure(caBundle: String?) async throws {
        let server = try LoopbackServer(greeting: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)) { _ in .drop }
        defer { server.stop() }
        let transport = CurlTransport(configuration: .init(caBundlePath: caBundle, environment: [:]), logger: logger)
        let error = await #expect(throws: AWSError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "https://127.0.0.1:\(server.port)/")!))
        }
        #expect(error?.code == AWSError.TransportCode.tlsFailure)
        #expect(error.map { RetryClassifier.verdict(for: $0) } == .permanent)
    }

    @Test("AWS_CA_BUNDLE sets the trusted bundle")
    func caBundle() {
        let config = CurlTransport.Configuration(environment: ["AWS_CA_BUNDLE": "/etc/ssl/custom.pem"])
        #expect(config.caBundlePath == "/etc/ssl/custom.pem")
        #expect(CurlTransport.Configuration(environment: [:]).caBundlePath == nil)
    }

    @Test("log redaction keeps the credential scope and hides signature and tokens")
    func redaction() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abcdef"
        #expect(Redaction.header("Authorization", auth).hasSuffix("Signature=<redacted>"))
        #expect(!Redaction.header("Authorization", auth).contains("abcdef"))
        #expect(Redaction.header("Authorization", "Bearer secret") == "<redacted>")
        #expect(Redaction.header("X-Amz-Security-Token", "tok") == "<redacted>")
        #expect(Redaction.header("x-aws-ec2-metadata-token", "tok") == "<redacted>")
        #expect(
            Redaction.url("https://h/p?a=1&X-Amz-Signature=abc&X-Amz-Security-Token=t")
                == "https://h/p?a=1&X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>")
        // Issue 24: an endpoint override with user information (a proxy's password).
        #expect(Redaction.url("http://user:pa55@proxy:8080/p?X-Amz-Signature=abc") == "http://<redacted>@proxy:8080/p?X-Amz-Signature=<redacted>")
        #expect(Redaction.url("http://proxy/p?x=a@b") == "http://proxy/p?x=a@b")
    }
}

@Suite("CurlTransport concurrency and cancellation")
struct CurlTransportConcurrencyTests {
    @Test("concurrent requests all complete")
    func concurrent() async throws {
        let server = try LoopbackServer { request in .respond(.init(status: 200, body: request.path)) }
        defer { server.stop() }
        let transport = CurlTransport(logger: Logger(label: "test"))
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "\(server.baseURL)/\(i)")!))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(bodies == Set((0..<16).map { "/\($0)" }))
    }

    @Test("cancelling the task aborts a hanging transfer")
    func cancellation() async throws {
        let server = try LoopbackServer { _ in .hang }
        defer { server.stop() }
        let transport = CurlTransport(configuration: .init(timeout: .seconds(60)), logger: Logger(label: "test"))
        let task = Task { try await transport.send(HTTPRequest(method: "GET", url: URL(string: server.baseURL + "/")!)) }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test("many requests are in flight at once, not queued behind a few blocked threads")
    func manyInFlight() async throws {
        // Each request is held at the server until all have arrived (or 10 s pass): the count the
        // server saw at once is the transport's real concurrency. It was capped near the core count
        // when blocking transfers ran on a concurrent (non-overcommitting) dispatch queue.
        let count = 24
        let gate = ArrivalGate(expected: count)
        let server = try LoopbackServer { request in
            gate.arriveAndWait(timeout: .seconds(10))
            return .respond(.init(status: 200, body: request.path))
        }
        defer { server.stop() }
        let transport = CurlTransport(logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                group.addTask { _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "\(server.baseURL)/\(i)")!)) }
            }
            try await group.waitForAll()
        }
        #expect(gate.mostAtOnce == count)
    }
}

/// Holds each arriving caller until `expected` have arrived or the timeout passes; remembers the most seen at once.
final class ArrivalGate: Sendable {
    private let state = Locked((waiting: 0, most: 0))
    private let expected: Int

    init(expected: Int) { self.expected = expected }

    var mostAtOnce: Int { state.withLock { $0.most } }

    func arriveAndWait(timeout: Duration) {
        state.withLock {
            $0.waiting += 1
            $0.most = max($0.most, $0.waiting)
        }
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.most }) < expected, ContinuousClock.now < deadline { usleep(5_000) }
        state.withLock { $0.waiting -= 1 }
    }
}
