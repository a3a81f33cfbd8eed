import Basics

/// botocore's retry quota: a token bucket shared by one client's calls, so a struggling
/// endpoint is not hammered with retries (capacity 500; a retry costs 5, 10 after a timeout;
/// a first-try success refunds 1, a retried success refunds its cost).
final class RetryQuota: Sendable {
    static let capacity = 500
    static let retryCost = 5
    static let timeoutRetryCost = 10
    static let noRetryIncrement = 1

    private let available = Locked(RetryQuota.capacity)

    /// Takes the cost of one retry; nil when the bucket is too low to retry.
    func acquire(after error: AWSError) -> Int? {
        let cost = error.kind == .timeout ? Self.timeoutRetryCost : Self.retryCost
        return available.withLock { tokens in
            guard tokens >= cost else { return nil }
            tokens -= cost
            return cost
        }
    }

    /// Gives tokens back after a success.
    func release(_ amount: Int) {
        available.withLock { $0 = min(Self.capacity, $0 + amount) }
    }
}
