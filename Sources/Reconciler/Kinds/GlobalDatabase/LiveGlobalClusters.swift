import AWS
import DesiredState
import Foundation

/// `GlobalDatabaseControl` on the RDS Query API (Aurora's and DocumentDB's global clusters alike), every call to the
/// region holding its cluster; the lag from CloudWatch in the cluster's region.
public struct LiveGlobalClusters: GlobalDatabaseControl {
    let sender: any AWSRequestSending
    /// The lag metrics to read, in order (`AWS/RDS` `AuroraGlobalDBReplicationLag`, …): the first with a datapoint wins.
    let lagMetrics: [(namespace: String, name: String)]

    public init(sender: any AWSRequestSending, lagMetrics: [(namespace: String, name: String)]) {
        self.sender = sender
        self.lagMetrics = lagMetrics
    }

    public func globalCluster(id: String, region: String) async throws -> GlobalDatabase {
        let global = try await RDSClient(sender: sender).describeGlobalClusters(id: id, region: region)
        return GlobalDatabase(
            identifier: global.identifier, status: global.status,
            members: global.members.map {
                GlobalDatabase.Member(dbClusterArn: $0.dbClusterArn, isWriter: $0.isWriter, synchronizationStatus: $0.synchronizationStatus)
            },
            failoverState: global.failoverState.map {
                GlobalDatabase.FailoverState(status: $0.status, fromDBClusterArn: $0.fromDBClusterArn, toDBClusterArn: $0.toDBClusterArn)
            }, engine: global.engine, engineVersion: global.engineVersion)
    }

    public func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster? {
        do {
            let cluster = try await RDSClient(sender: sender).describeDBClusters(id: arn.description, region: arn.region)
            return AuroraCluster(
                arn: cluster.arn, identifier: cluster.identifier, status: cluster.status,
                globalClusterIdentifier: cluster.globalClusterIdentifier, engineVersion: cluster.engineVersion, instances: cluster.instanceCount)
        } catch let error as AWSError where error.code == "DBClusterNotFoundFault" {
            return nil
        }
    }

    public func replicationLag(of cluster: ClusterARN) async throws -> LagReading? {
        let cloudwatch = CloudWatchClient(sender: sender)
        for metric in lagMetrics {
            if let point = try await cloudwatch.latestMaximum(
                namespace: metric.namespace, metric: metric.name, dbClusterIdentifier: cluster.clusterID, region: cluster.region)
            {
                return LagReading(metric: metric.name, milliseconds: point.value, timestamp: point.timestamp)
            }
        }
        return nil
    }

    public func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        let capture = RequestIDCapture(sender)
        let rds = RDSClient(sender: capture)
        switch mode {
        case .switchover:
            try await rds.switchoverGlobalCluster(globalClusterId: globalClusterID, targetArn: target.description, region: target.region)
        case .failover:
            try await rds.failoverGlobalCluster(
                globalClusterId: globalClusterID, targetArn: target.description, allowDataLoss: true, region: target.region)
        case .detach:
            try await rds.removeFromGlobalCluster(globalClusterId: globalClusterID, dbClusterArn: target.description, region: target.region)
        }
        return capture.requestID
    }
}
