import Basics
import DesiredState
import Foundation

/// What the dwell gate needs to know beyond AWS: the time, the last flip, and the commit's overrides.
public struct SafetyContext: Sendable {
    public var now: Date
    /// When this app's last flip converged (from the journal) or, without a journal, was committed (from Git).
    public var lastFlip: Date?
    /// Where `lastFlip` comes from, for the reading: `journal` or `git`.
    public var lastFlipSource: String
    /// Gates the flip commit overrides with `Switchyard-Override:` trailers (`dwell`, `replication-lag`).
    public var overrides: Set<String>
    /// Who overrode, for the reading: the commit, its author and time.
    public var overriddenBy: String
    /// The active region of the commit this host last applied for the app (its journal): the region a failover
    /// leaves. Nil when not known (a fresh state folder).
    public var lastAppliedRegion: String?
    /// The live facts the journal last kept for the app: what a region that cannot be read now last showed.
    public var remembered: [String: StepAttribute] = [:]

    public init(
        now: Date = Date(), lastFlip: Date? = nil, lastFlipSource: String = "git", overrides: Set<String> = [], overriddenBy: String = "the commit",
        lastAppliedRegion: String? = nil
    ) {
        self.lastAppliedRegion = lastAppliedRegion
        self.now = now
        self.lastFlip = lastFlip
        self.lastFlipSource = lastFlipSource
        self.overrides = overrides
        self.overriddenBy = overriddenBy
    }

    /// The gates a `Switchyard-Override:` trailer may name: `dwell` and each kind's own.
    public static var overridable: Set<String> { Set(["dwell"] + ResourceKinds.registered.flatMap { $0.overridable }) }
}

/// The gates every failover passes (docs/SAFETY.md): the override trailers and the dwell time. Each kind adds its own
/// (preflight readiness, replication lag).
enum SafetyChecks {
    static func run(_ spec: ApplicationSpec, plan: AppPlan, safety: SafetyContext) -> [Check] {
        var checks: [Check] = []
        let flipping = plan.steps.contains { $0.info.flips }
        let unknown = safety.overrides.subtracting(SafetyContext.overridable).sorted()
        if !unknown.isEmpty, flipping {
            checks.append(
                Check(
                    "overrides", passed: false,
                    "Switchyard-Override: \(unknown.joined(separator: ", ")) names no gate that can be overridden "
                        + "(\(SafetyContext.overridable.sorted().joined(separator: ", "))); fix the trailer in a new commit"))
        }
        if let minDwell = spec.safety.minDwell, flipping {
            checks.append(dwell(minDwell, safety))
        }
        return checks
    }

    static func dwell(_ minDwell: Duration, _ safety: SafetyContext) -> Check {
        guard let last = safety.lastFlip else {
            return Check("dwell", passed: true, "no earlier flip (\(safety.lastFlipSource))")
        }
        let allowedAt = last.addingTimeInterval(Double(minDwell.components.seconds))
        let reading = "last flip \(iso(last)) (\(safety.lastFlipSource)), minDwell \(DurationFormat.format(minDwell))"
        if safety.now >= allowedAt { return Check("dwell", passed: true, reading) }
        if safety.overrides.contains("dwell") {
            return Check("dwell", passed: true, "\(reading); overridden by the Switchyard-Override: dwell trailer of \(safety.overriddenBy)")
        }
        return Check(
            "dwell", passed: false,
            "\(reading): a flip is allowed from \(iso(allowedAt)); to flip sooner, add the trailer `Switchyard-Override: dwell` to the commit message"
        )
    }

    static func iso(_ date: Date) -> String {
        Timestamp.format(date)
    }
}
