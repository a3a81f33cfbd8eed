import Foundation
import GitSource
import Reconciler

/// Everything `switchyard run` is told on its command line: what each pass reads and does, and how often to run one.
public struct ServiceConfiguration: Sendable {
    /// What every pass reads and how it acts (shared with `apply`).
    public var pass: PassConfiguration
    /// Between two passes (`--interval`), jittered by ±`jitter` so hosts do not poll in step.
    public var interval: Duration
    /// A fraction of the interval, 0 to 0.5.
    public var jitter: Double
    /// The first delay after a failed pass (`--retry-interval`), doubled per consecutive failure up to the interval.
    public var retryInterval: Duration
    /// The state folder (journal, lock).
    public var stateDirectory: String
    /// Between two readiness evaluations (`--readiness-interval`); one also follows every pass that read a new commit.
    public var readinessInterval: Duration

    public init(
        pass: PassConfiguration, interval: Duration = .seconds(30), jitter: Double = 0.1, retryInterval: Duration = .seconds(5),
        stateDirectory: String, readinessInterval: Duration = .seconds(300)
    ) {
        self.readinessInterval = readinessInterval
        self.pass = pass
        self.interval = interval
        self.jitter = min(max(jitter, 0), 0.5)
        self.retryInterval = retryInterval
        self.stateDirectory = stateDirectory
    }

    /// The delay before the next regular pass, jittered.
    func nextInterval() -> Duration {
        guard jitter > 0 else { return interval }
        return interval * Double.random(in: (1 - jitter)...(1 + jitter))
    }

    /// The delay after `failures` consecutive failed passes: the retry interval doubled each time, at most the interval.
    func retryDelay(afterFailures failures: Int) -> Duration {
        let doubled = retryInterval * Double(1 << min(max(failures - 1, 0), 20))
        return min(doubled, max(interval, retryInterval))
    }
}
