@testable import AWS
import Testing

@Suite("Retry policy and classification")
struct RetryPolicyTests {
    static func service(_ code: String, _ status: Int) -> AWSError {
        AWSError(kind: .service, service: "rds", operation: "X", code: code, message: "", httpStatus: status)
    }

    static func transport(_ kind: AWSError.Kind, _ code: String) -> AWSError {
        AWSError(kind: kind, service: "rds", operation: "X", code: code, message: "")
    }

    @Test("backoff is rand × 2^(attempt-1) seconds, capped at 20 s")
    func backoff() {
        let policy = RetryPolicy(random: { 1.0 }, sleep: { _ in })
        #expect(policy.backoff(afterAttempt: 1) == .seconds(1))
        #expect(policy.backoff(afterAttempt: 2) == .seconds(2))
        #expect(policy.backoff(afterAttempt: 5) == .seconds(16))
        #expect(policy.backoff(afterAttempt: 6) == .seconds(20))
        #expect(policy.backoff(afterAttempt: 60) == .seconds(20))
        #expect(RetryPolicy(random: { 0 }, sleep: { _ in }).backoff(afterAttempt: 3) == .zero)
        #expect(RetryPolicy.standard.maxAttempts == 3)
    }

    @Test("every botocore throttling code is retried, for mutations too", arguments: RetryClassifier.throttlingCodes.sorted())
    func throttling(code: String) {
        #expect(RetryClassifier.isRetryable(Self.service(code, 400), idempotent: false))
    }

    @Test(
        "verdicts",
        arguments: [
            (service("InternalError", 500), RetryClassifier.Verdict.ambiguous),
            (service("BadGateway", 502), .ambiguous),
            (service("ServiceUnavailable", 503), .ambiguous),
            (service("GatewayTimeout", 504), .ambiguous),
            (service("RequestTimeout", 400), .ambiguous),
            (service("SlowDown", 503), .throttled),
            (service("AccessDenied", 403), .permanent),
            (service("InvalidParameterValue", 400), .permanent),
            (service("NotImplemented", 501), .permanent),
            (transport(.transport, AWSError.TransportCode.connectionFailed), .notSent),
            (transport(.timeout, AWSError.TransportCode.connectTimedOut), .notSent),
            (transport(.timeout, AWSError.TransportCode.timedOut), .ambiguous),
            (transport(.transport, AWSError.TransportCode.connectionLost), .ambiguous),
            (transport(.transport, AWSError.TransportCode.tlsFailure), .permanent),
            (transport(.credentials, "NoCredentials"), .permanent),
        ])
    func verdicts(error: AWSError, verdict: RetryClassifier.Verdict) {
        #expect(RetryClassifier.verdict(for: error) == verdict)
        #expect(RetryClassifier.isRetryable(error, idempotent: true) == (verdict != .permanent))
        #expect(RetryClassifier.isRetryable(error, idempotent: false) == (verdict == .throttled || verdict == .notSent))
    }

    @Test("the retry quota runs dry and refills")
    func quota() {
        let quota = RetryQuota()
        let timeout = Self.transport(.timeout, AWSError.TransportCode.timedOut)
        for _ in 0..<50 { #expect(quota.acquire(after: timeout) == 10) }
        #expect(quota.acquire(after: Self.service("ServiceUnavailable", 503)) == nil)
        quota.release(5)
        #expect(quota.acquire(after: Self.service("ServiceUnavailable", 503)) == 5)
    }
}
