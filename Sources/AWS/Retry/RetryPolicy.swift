/// The AWS SDKs' "standard" retry mode (botocore `retries/standard.py`): up to `maxAttempts`
/// attempts, truncated binary exponential backoff with full jitter, `rand * min(2^(n-1), 20) s`.
///
/// Unlike the SDKs, a call marked non-idempotent is never re-sent after an ambiguous failure
/// (5xx, timeout, dropped connection): the server may have applied it, so the caller re-observes.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included; 1 disables retries.
    public var maxAttempts: Int
    /// Cap on one backoff delay (botocore: 20 s).
    public var maxBackoff: Duration
    /// Uniform random number in [0, 1): the jitter; fixed in tests.
    public var random: @Sendable () -> Double
    /// Waits between attempts; tests inject one that returns at once.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters: see the properties; defaults are botocore's standard mode.
    public init(
        maxAttempts: Int = 3, maxBackoff: Duration = .seconds(20),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxBackoff = maxBackoff
        self.random = random
        self.sleep = sleep
    }

    /// botocore's standard mode.
    public static var standard: RetryPolicy { RetryPolicy() }
    /// One attempt, no retries.
    public static var none: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// The wait after failed attempt `attempt` (1-based): `rand * min(2^(attempt-1), maxBackoff)` seconds.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(Double(1 << min(attempt - 1, 30)), Self.seconds(maxBackoff))
        return .milliseconds(Int((random() * ceiling * 1000).rounded()))
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
