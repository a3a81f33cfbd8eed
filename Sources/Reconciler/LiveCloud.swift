import AWS
import DesiredState
import Foundation

/// `CloudControl` on the real AWS clients: every call to the region holding its resource.
public struct LiveCloud: CloudControl {
    let sender: any AWSRequestSending
    /// Attempts at an UpdateDistribution whose ETag went stale between read and write.
    let staleETagAttempts = 3

    public init(sender: any AWSRequestSending) {
        self.sender = sender
    }

    public func bucketAccess(bucket: String, region: String) async throws -> BucketAccess {
        BucketAccess(try await S3Client(sender: sender).getPublicAccessBlock(bucket: bucket, region: region))
    }

    /// The bucket tag in which a fence keeps the Block Public Access settings it replaced (`none`: there were none,
    /// else their four flags as bits), so that any host undoes the fence exactly.
    public static let fenceTag = "switchyard:fenced-from"

    public func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? {
        let capture = RequestIDCapture(sender)
        let client = S3Client(sender: capture)
        let reader = S3Client(sender: sender)
        let current = try await reader.getPublicAccessBlock(bucket: bucket, region: region)
        let tags = try await reader.getBucketTagging(bucket: bucket, region: region)
        if blocked {
            // Recorded before the fence (a crash in between leaves the record, which the next fence keeps).
            if tags[Self.fenceTag] == nil, current != .blockAll {
                try await reader.putBucketTagging(
                    tags.merging([Self.fenceTag: current?.bits ?? "none"]) { $1 }, bucket: bucket, region: region)
            }
            try await client.putPublicAccessBlock(.blockAll, bucket: bucket, region: region)
            return capture.requestID
        }
        // Opening restores what the fence replaced; a bucket Switchyard never fenced keeps its owner's flags. Either
        // way only the two policy flags, which stop a website from serving, end up cleared.
        var configuration = tags[Self.fenceTag].flatMap { $0 == "none" ? PublicAccessBlock.blockNone : PublicAccessBlock(bits: $0) } ?? current
        configuration?.blockPublicPolicy = false
        configuration?.restrictPublicBuckets = false
        var requestID: String?
        if let configuration, configuration != current {
            if configuration == .blockNone, tags[Self.fenceTag] == "none" {
                try await client.deletePublicAccessBlock(bucket: bucket, region: region)
            } else {
                try await client.putPublicAccessBlock(configuration, bucket: bucket, region: region)
            }
            requestID = capture.requestID
        }
        if tags[Self.fenceTag] != nil {
            try await reader.putBucketTagging(tags.filter { $0.key != Self.fenceTag }, bucket: bucket, region: region)
        }
        return requestID
    }

    public func distribution(id: String) async throws -> DistributionState {
        let distribution = try await CloudFrontClient(sender: sender).getDistribution(id: id)
        return DistributionState(status: distribution.status, originGroups: distribution.originGroups)
    }

    public func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String? {
        let client = CloudFrontClient(sender: sender)
        var attempt = 0
        while true {
            attempt += 1
            let snapshot = try await client.getDistributionConfig(id: distributionID)
            let reordered = try OriginGroups.reordering(group: groupID, primary: primary, in: snapshot.config)
            if reordered == snapshot.config { return nil }
            let capture = RequestIDCapture(sender)
            do {
                _ = try await CloudFrontClient(sender: capture).updateDistribution(id: distributionID, config: reordered, ifMatch: snapshot.etag)
                return capture.requestID ?? ""
            } catch let error as AWSError where error.isStaleETag && attempt < staleETagAttempts {
                // Someone changed the distribution between our read and write: re-read, re-diff, retry.
                continue
            }
        }
    }

    public func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness {
        let s3 = S3Client(sender: sender)
        guard try await s3.headBucket(bucket: bucket, region: region) else { return BucketReadiness(exists: false, website: false) }
        return BucketReadiness(exists: true, website: try await s3.getBucketWebsite(bucket: bucket, region: region) != nil)
    }

    public func replicationLag(of cluster: ClusterARN) async throws -> LagReading? {
        let cloudwatch = CloudWatchClient(sender: sender)
        // ReplicationLag is what secondaries report; RPOLag stands in where only it is published.
        for metric in [AuroraGlobalDBMetric.replicationLag, .rpoLag] {
            if let point = try await cloudwatch.latestAuroraGlobalDBLag(metric, dbClusterIdentifier: cluster.clusterID, region: cluster.region) {
                return LagReading(metric: metric.rawValue, milliseconds: point.value, timestamp: point.timestamp)
            }
        }
        return nil
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
            })
    }

    public func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster? {
        do {
            let cluster = try await RDSClient(sender: sender).describeDBClusters(id: arn.description, region: arn.region)
            return AuroraCluster(
                arn: cluster.arn, identifier: cluster.identifier, status: cluster.status,
                globalClusterIdentifier: cluster.globalClusterIdentifier)
        } catch let error as AWSError where error.code == "DBClusterNotFoundFault" {
            return nil
        }
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

/// Passes calls through and remembers the AWS request id of the last response, for the journal.
final class RequestIDCapture: AWSRequestSending, @unchecked Sendable {
    private let base: any AWSRequestSending
    private let lock = NSLock()
    private var lastRequestID: String?

    init(_ base: any AWSRequestSending) { self.base = base }

    var requestID: String? { lock.withLock { lastRequestID } }

    func send(_ operation: AWSOperation) async throws -> HTTPResponse {
        let response = try await base.send(operation)
        let id = response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
        lock.withLock { lastRequestID = id }
        return response
    }
}
