import AWS
import DesiredState

/// A value observed from AWS, or why it could not be.
public enum Observed<Value: Sendable>: Sendable {
    case value(Value)
    case unavailable(String)
    /// AWS answered that the declared resource does not exist (a 404, `…NotFound…`): the file names something that
    /// is not there, which no retry fixes.
    case missing(String)

    /// Why it could not be read, whether unavailable or missing.
    public var problem: String? {
        switch self {
        case .value: nil
        case let .unavailable(why), let .missing(why): why
        }
    }

    public var value: Value? {
        if case let .value(v) = self { return v }
        return nil
    }
}

/// The live Aurora topology of one application.
public struct AuroraLive: Sendable {
    public var global: GlobalDatabase
    /// Declared clusters that are no longer members of the global cluster, by region: standalone after a detach.
    public var detached: [String: AuroraCluster]

    public init(global: GlobalDatabase, detached: [String: AuroraCluster] = [:]) {
        self.global = global
        self.detached = detached
    }

    /// The region whose cluster writes: the global writer, or a detached standalone cluster that is available.
    public func writerRegion(in spec: ApplicationSpec) -> String? {
        if let detached = detached.first(where: { $0.value.status == "available" }) { return detached.key }
        if let writer = global.writer?.dbClusterArn,
            let region = spec.regions.first(where: { $0.auroraCluster?.description == writer })
        {
            return region.name
        }
        return nil
    }
}

/// Everything observed of one application at one moment.
public struct LiveState: Sendable {
    /// Each region's bucket access, by region name.
    public var buckets: [String: Observed<BucketAccess>]
    public var distribution: Observed<DistributionState>?
    public var aurora: Observed<AuroraLive>?
    /// Preflight: can the active region's bucket serve the website?
    public var targetBucket: Observed<BucketReadiness>?
    /// Preflight: the active region's Aurora cluster as its own region describes it (nil inside: it does not exist).
    public var targetCluster: Observed<AuroraCluster?>?
    /// The replication-lag gate's reading for the active region's cluster (nil inside: no datapoint).
    public var lag: Observed<LagReading?>?

    public init(
        buckets: [String: Observed<BucketAccess>] = [:], distribution: Observed<DistributionState>? = nil, aurora: Observed<AuroraLive>? = nil,
        targetBucket: Observed<BucketReadiness>? = nil, targetCluster: Observed<AuroraCluster?>? = nil, lag: Observed<LagReading?>? = nil
    ) {
        self.buckets = buckets
        self.distribution = distribution
        self.aurora = aurora
        self.targetBucket = targetBucket
        self.targetCluster = targetCluster
        self.lag = lag
    }
}
