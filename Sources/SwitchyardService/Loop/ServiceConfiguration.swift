import Foundation
import GitSource
import Reconciler

/// Everything `switchyard run` is told on its command line: where the desired state is, and how often to act.
public struct ServiceConfiguration: Sendable {
    /// Where the desired state lives.
    public var source: GitSource
    /// The ref to read; the source's default when nil.
    public var ref: String?
    /// The desired-state folder inside the repository.
    public var folder: String
    /// Only these apps (empty: every app).
    public var apps: [String]
    /// Between two passes (`--interval`), jittered by ±`jitter` so hosts do not poll in step.
    public var interval: Duration
    /// A fraction of the interval, 0 to 0.5.
    public var jitter: Double
    /// The first delay after a failed pass (`--retry-interval`), doubled per consecutive failure up to the interval.
    public var retryInterval: Duration
    /// Correct drift made by hand, or only report it.
    public var drift: DriftPolicy
    /// Waits and time limits of each step.
    public var applyOptions: ApplyOptions
    /// The state folder (journal, lock).
    public var stateDirectory: String

    public init(source: GitSource, ref: String? = nil, folder: String = "desired-state", apps: [String] = [],
                interval: Duration = .seconds(30), jitter: Double = 0.1, retryInterval: Duration = .seconds(5),
                drift: DriftPolicy = .correct, applyOptions: ApplyOptions = ApplyOptions(), stateDirectory: String) {
        self.source = source
        self.ref = ref
        self.folder = folder
        self.apps = apps
        self.interval = interval
        self.jitter = min(max(jitter, 0), 0.5)
        self.retryInterval = retryInterval
        self.drift = drift
        self.applyOptions = applyOptions
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

/// What a pass does when live state differs from a commit that already converged.
public enum DriftPolicy: String, Sendable, CaseIterable {
    /// Change AWS back to the commit (the default).
    case correct
    /// Only report it (status, /readyz, metrics, journal); a new commit is still applied.
    case report
}

/// Where the state folder is when `--state-dir` is not given.
public enum StateDirectory {
    /// `$STATE_DIRECTORY` (systemd's StateDirectory=), else /var/lib/switchyard for root, else
    /// `$XDG_STATE_HOME/switchyard` or ~/.local/state/switchyard.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let systemd = environment["STATE_DIRECTORY"], !systemd.isEmpty {
            return String(systemd.split(separator: ":").first ?? Substring(systemd))
        }
        if getuid() == 0 { return "/var/lib/switchyard" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(environment["XDG_STATE_HOME"] ?? "\(home)/.local/state")/switchyard"
    }
}
