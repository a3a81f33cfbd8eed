import DesiredState
import Foundation

/// What a global database kind (Aurora, DocumentDB) calls: the RDS Query API's global clusters, in the region asked.
public protocol GlobalDatabaseControl: Sendable {
    /// The global cluster, asked in `region`.
    func globalCluster(id: String, region: String) async throws -> GlobalDatabase
    /// A DB cluster asked in its own region; nil when it does not exist.
    func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster?
    /// The latest replication-lag datapoint of `cluster` from CloudWatch in its region; nil when there is none.
    func replicationLag(of cluster: ClusterARN) async throws -> LagReading?
    /// Issues the promotion of `target` in its own region.
    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String?
}

/// The latest replication-lag datapoint of a secondary cluster.
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

/// A global database (Aurora, DocumentDB) as the reconciler needs it: its members, which one writes, and any promotion under way.
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
    /// `aurora-mysql`, `aurora-postgresql`, `docdb`, …, when the answer said.
    public var engine: String?
    /// The global cluster's engine version (its writer's), when the answer said.
    public var engineVersion: String?

    public init(
        identifier: String, status: String, members: [Member], failoverState: FailoverState? = nil, engine: String? = nil,
        engineVersion: String? = nil
    ) {
        self.engine = engine
        self.engineVersion = engineVersion
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
    /// The engine version, when known.
    public var engineVersion: String?
    /// How many DB instances it has, when known: a cluster without one cannot serve.
    public var instances: Int?

    public init(
        arn: String, identifier: String, status: String, globalClusterIdentifier: String?, engineVersion: String? = nil, instances: Int? = nil
    ) {
        self.engineVersion = engineVersion
        self.instances = instances
        self.arn = arn
        self.identifier = identifier
        self.status = status
        self.globalClusterIdentifier = globalClusterIdentifier
    }
}

/// The live topology of one global database.
public struct GlobalDatabaseLive: Sendable {
    public var global: GlobalDatabase
    /// Declared clusters that are no longer members of the global cluster, by region: standalone after a detach.
    public var detached: [String: AuroraCluster]

    public init(global: GlobalDatabase, detached: [String: AuroraCluster] = [:]) {
        self.global = global
        self.detached = detached
    }

    /// The region whose cluster writes: the global writer, or a detached standalone cluster that is available.
    public func writerRegion(_ clusters: [String: ClusterARN]) -> String? {
        if let detached = detached.first(where: { $0.value.status == "available" }) { return detached.key }
        if let writer = global.writer?.dbClusterArn {
            return clusters.first { $0.value.description == writer }?.key
        }
        return nil
    }
}
