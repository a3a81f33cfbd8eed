import AWS
import DesiredState
import Foundation

/// Whether a bucket's public access block lets CloudFront read it.
///
/// A website bucket serves through its bucket policy, so only the two policy flags decide: `RestrictPublicBuckets`
/// stops a public policy from granting access and `BlockPublicPolicy` stops one from being put back. The ACL flags
/// (`BlockPublicAcls`, `IgnorePublicAcls`) do not affect serving and are left as the owner set them when opening.
public enum BucketAccess: String, Sendable, Codable, Equatable {
    /// No configuration, or neither policy flag set (whatever the ACL flags).
    case open
    /// Both policy flags set.
    case blocked
    /// One policy flag set and not the other: neither state Switchyard writes; treated as drift.
    case partial

    /// How the public access block reads for serving; nil (no configuration) is open.
    public init(_ block: PublicAccessBlock?) {
        switch (block?.blockPublicPolicy ?? false, block?.restrictPublicBuckets ?? false) {
        case (false, false): self = .open
        case (true, true): self = .blocked
        default: self = .partial
        }
    }

    /// How a plan's reason names the state.
    public var phrase: String {
        switch self {
        case .open: "open"
        case .blocked: "blocked"
        case .partial: "partly blocked (only one of BlockPublicPolicy and RestrictPublicBuckets is set)"
        }
    }
}

/// What Switchyard needs to know of the CloudFront distribution.
public struct DistributionState: Sendable, Equatable {
    /// `InProgress` while a change deploys, `Deployed` after.
    public var status: String
    public var originGroups: [OriginGroup]

    public init(status: String, originGroups: [OriginGroup]) {
        self.status = status
        self.originGroups = originGroups
    }

    public var isDeployed: Bool { status == "Deployed" }
}

/// Whether a bucket can serve the website: preflight for making its region active.
public struct BucketReadiness: Sendable, Equatable {
    public var exists: Bool
    public var website: Bool

    public init(exists: Bool, website: Bool) {
        self.exists = exists
        self.website = website
    }
}

/// The latest Aurora Global Database lag datapoint of a secondary cluster.
public struct LagReading: Sendable, Equatable, Codable {
    /// `AuroraGlobalDBReplicationLag` or `AuroraGlobalDBRPOLag`.
    public var metric: String
    public var milliseconds: Double
    public var timestamp: Date

    public init(metric: String, milliseconds: Double, timestamp: Date) {
        self.metric = metric
        self.milliseconds = milliseconds
        self.timestamp = timestamp
    }
}

/// The AWS calls the reconciler makes: the seam between planning and AWS, so the planner can be unit-tested.
///
/// Every call names the region that holds its resource; no call depends on a region other than that one.
public protocol CloudControl: Sendable {
    /// The bucket's public access block, asked in the bucket's region.
    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess
    /// Fences the bucket (all four flags true) or opens it (clears the two policy flags, keeping the ACL flags as they
    /// are); returns the AWS request id when known, nil when there was nothing to write.
    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String?
    /// The distribution's status and origin groups (CloudFront's control plane, us-east-1).
    func distribution(id: String) async throws -> DistributionState
    /// Rewrites the origin group so `primary` comes first, re-reading on a stale ETag.
    /// - Returns: the request id, or nil when the order was already right.
    func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String?
    /// The global cluster, asked in `region`.
    func globalCluster(id: String, region: String) async throws -> GlobalDatabase
    /// A DB cluster asked in its own region; nil when it does not exist.
    func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster?
    /// Whether the bucket exists and has website hosting, asked in its region.
    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness
    /// The latest replication-lag datapoint of `cluster` from CloudWatch in its region; nil when there is none.
    func replicationLag(of cluster: ClusterARN) async throws -> LagReading?
    /// Issues the promotion of `target` in its own region.
    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String?
}

/// An Aurora Global Database as the reconciler needs it: its members, which one writes, and any promotion under way.
/// The reconciler's own value, so that what it decides on does not change shape with the RDS API's.
public struct GlobalDatabase: Sendable, Equatable {
    /// One member cluster.
    public struct Member: Sendable, Equatable {
        public var dbClusterArn: String
        public var isWriter: Bool
        /// `connected`, `pending-resync`, … (the replicas-connected preflight).
        public var synchronizationStatus: String?

        public init(dbClusterArn: String, isWriter: Bool, synchronizationStatus: String? = nil) {
            self.dbClusterArn = dbClusterArn
            self.isWriter = isWriter
            self.synchronizationStatus = synchronizationStatus
        }
    }

    /// A switchover or failover under way.
    public struct FailoverState: Sendable, Equatable {
        /// `pending`, `switching-over`, `failing-over`, …; empty or nil when none is under way.
        public var status: String?
        public var fromDBClusterArn: String?
        public var toDBClusterArn: String?

        public init(status: String?, fromDBClusterArn: String?, toDBClusterArn: String?) {
            self.status = status
            self.fromDBClusterArn = fromDBClusterArn
            self.toDBClusterArn = toDBClusterArn
        }
    }

    public var identifier: String
    public var status: String
    public var members: [Member]
    public var failoverState: FailoverState?

    public init(identifier: String, status: String, members: [Member], failoverState: FailoverState? = nil) {
        self.identifier = identifier
        self.status = status
        self.members = members
        self.failoverState = failoverState
    }

    /// The member that writes, if any.
    public var writer: Member? { members.first { $0.isWriter } }
}

/// A DB cluster as its own region describes it: is it there, available, and still in a global database?
public struct AuroraCluster: Sendable, Equatable {
    public var arn: String
    public var identifier: String
    public var status: String
    /// Nil once the cluster was removed from its global database (a detach).
    public var globalClusterIdentifier: String?

    public init(arn: String, identifier: String, status: String, globalClusterIdentifier: String?) {
        self.arn = arn
        self.identifier = identifier
        self.status = status
        self.globalClusterIdentifier = globalClusterIdentifier
    }
}
