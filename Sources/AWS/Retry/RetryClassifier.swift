/// Decides whether a failed attempt may be sent again, and why.
public enum RetryClassifier {
    /// Why an attempt failed, as far as retrying is concerned.
    public enum Verdict: Sendable, Equatable {
        /// AWS refused the request for rate: it was not applied, so any call may be retried.
        case throttled
        /// The request never reached the server: any call may be retried.
        case notSent
        /// The server may or may not have applied it (5xx, timeout, lost connection): only idempotent calls retry.
        case ambiguous
        /// Retrying would not help (4xx other than throttling, TLS, bad request).
        case permanent
    }

    /// botocore's union of throttling codes.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// botocore's transient error codes.
    public static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"]
    /// botocore's transient HTTP statuses.
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// Classifies one failure.
    public static func verdict(for error: AWSError) -> Verdict {
        switch error.kind {
        case .service:
            if throttlingCodes.contains(error.code) { return .throttled }
            if transientCodes.contains(error.code) { return .ambiguous }
            if let status = error.httpStatus, transientStatuses.contains(status) { return .ambiguous }
            return .permanent
        case .transport, .timeout:
            if error.requestCertainlyNotSent { return .notSent }
            if error.code == AWSError.TransportCode.tlsFailure { return .permanent }
            return .ambiguous
        case .malformedResponse, .credentials, .invalidRequest:
            return .permanent
        }
    }

    /// Whether the failure may be retried for a call of the given idempotency.
    public static func isRetryable(_ error: AWSError, idempotent: Bool) -> Bool {
        switch verdict(for: error) {
        case .throttled, .notSent: true
        case .ambiguous: idempotent
        case .permanent: false
        }
    }
}
