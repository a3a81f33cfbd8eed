import AWS
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

    public init(
        now: Date = Date(), lastFlip: Date? = nil, lastFlipSource: String = "git", overrides: Set<String> = [], overriddenBy: String = "the commit"
    ) {
        self.now = now
        self.lastFlip = lastFlip
        self.lastFlipSource = lastFlipSource
        self.overrides = overrides
        self.overriddenBy = overriddenBy
    }

    /// The gates a `Switchyard-Override:` trailer may name.
    public static let overridable: Set<String> = ["dwell", "replication-lag"]
}

/// The gates a failover must pass (docs/SAFETY.md): preflight readiness, replication lag, dwell time.
enum SafetyChecks {
    static func run(_ spec: ApplicationSpec, live: LiveState, plan: AppPlan, safety: SafetyContext) -> [Check] {
        var checks: [Check] = []
        let target = spec.region(spec.activeRegion)
        let promoting = plan.steps.contains { $0.action == .promoteAurora }
        let flipping = promoting || plan.steps.contains { $0.action == .reorderOriginGroup }

        if let bucket = target?.bucket, let observed = live.targetBucket {
            checks.append(
                check("target-bucket", observed) { readiness in
                    if !readiness.exists { return (false, "bucket \(bucket) does not exist in \(spec.activeRegion)") }
                    if !readiness.website { return (false, "bucket \(bucket) has no website hosting configured") }
                    return (true, "bucket \(bucket) exists and hosts the website")
                })
        }
        if let cloudfront = spec.cloudfront, let group = live.distribution?.value?.originGroups.first(where: { $0.id == cloudfront.originGroupID }) {
            let missing = spec.regions.compactMap(\.originID).filter { !group.memberOriginIDs.contains($0) }
            checks.append(
                Check(
                    "origin-group", passed: missing.isEmpty,
                    missing.isEmpty
                        ? "origin group \(group.id) holds every region's origin (\(group.memberOriginIDs.joined(separator: ", ")))"
                        : "origin group \(group.id) lacks \(missing.joined(separator: ", "))"))
        }
        if let aurora = spec.aurora, let arn = target?.auroraCluster, promoting {
            if let observed = live.targetCluster {
                checks.append(
                    check("target-cluster", observed) { cluster in
                        // Membership needs no check here: the planner promotes only a member of the global cluster.
                        guard let cluster else { return (false, "cluster \(arn.clusterID) does not exist in \(arn.region)") }
                        return (cluster.status == "available", "cluster \(arn.clusterID) is \(cluster.status)")
                    })
            }
            // A switchover needs every region healthy; a failover presumes the old primary down, so only the target side counts.
            if aurora.promotion == .switchover, let global = live.aurora?.value?.global {
                let lagging = global.members.filter { !$0.isWriter && $0.synchronizationStatus != "connected" }
                checks.append(
                    Check(
                        "replicas-connected", passed: lagging.isEmpty,
                        lagging.isEmpty
                            ? "every secondary of \(aurora.globalClusterID) is connected"
                            : lagging.map {
                                "\(ClusterARN($0.dbClusterArn)?.clusterID ?? $0.dbClusterArn) is \($0.synchronizationStatus ?? "of unknown synchronization")"
                            }
                            .joined(separator: ", ") + "; a switchover needs them connected (use promotion: failover if the primary is down)"))
            }
            if let limit = aurora.maxReplicationLag, let observed = live.lag {
                checks.append(replicationLag(limit, observed, cluster: arn, safety: safety))
            }
        }
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

    /// The lag gate. An unknown lag (no datapoint, CloudWatch unreadable or throttled) holds the promotion unless the
    /// flip commit carries `Switchyard-Override: replication-lag`; a lag known to be above the limit is never overridden.
    static func replicationLag(_ limit: Duration, _ observed: Observed<LagReading?>, cluster arn: ClusterARN, safety: SafetyContext) -> Check {
        let overridden = safety.overrides.contains("replication-lag")
        let how =
            "to fail over with the lag unknown, add the trailer `Switchyard-Override: replication-lag` to the flip commit "
            + "(or, with the primary down, use promotion: failover)"
        let unknown: String
        switch observed {
        case let .value(reading?):
            let lag = Duration.milliseconds(Int64(reading.milliseconds.rounded(.up)))
            let figure = "\(reading.metric) \(DurationFormat.format(lag)) at \(iso(reading.timestamp)) (limit \(DurationFormat.format(limit)))"
            if lag <= limit { return Check("replication-lag", passed: true, figure) }
            return Check(
                "replication-lag", passed: false,
                "\(figure): above the limit"
                    + (overridden ? "; Switchyard-Override: replication-lag applies only to an unknown lag, not to one known to be too high" : ""))
        case .value(nil):
            unknown = "no AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag datapoint for \(arn.clusterID) in the last 10 minutes"
        case let .unavailable(why), let .missing(why):
            unknown = why
        }
        if overridden {
            return Check("replication-lag", passed: true, "\(unknown); the lag is unknown: overridden by \(safety.overriddenBy)")
        }
        return Check("replication-lag", passed: false, "\(unknown); the lag is unknown, so the promotion waits; \(how)")
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

    static func check<T>(_ name: String, _ observed: Observed<T>, _ judge: (T) -> (Bool, String)) -> Check {
        switch observed {
        case let .value(value):
            let (passed, detail) = judge(value)
            return Check(name, passed: passed, detail)
        case let .unavailable(why), let .missing(why):
            return Check(name, passed: false, why)
        }
    }

    static func iso(_ date: Date) -> String {
        Timestamp.format(date)
    }
}
