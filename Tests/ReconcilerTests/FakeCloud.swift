import AWS
import DesiredState
import Foundation
import Reconciler

/// An in-memory control of the lab's three kinds, for unit tests of planning and ordering logic only (end states are proven against the emulator).
final class FakeCloud: LabControls, @unchecked Sendable {
    private let lock = NSLock()
    var buckets: [String: BucketAccess] = [:]
    var origins: [String] = []
    var distributionStatus = "Deployed"
    var global: GlobalDatabase
    var standalone: [String: AuroraCluster] = [:]
    /// Regions whose control plane does not answer.
    var unreachable: Set<String> = []
    /// Resource names (bucket, distribution, global cluster ids) AWS answers as not existing.
    var missing: Set<String> = []
    private(set) var calls: [String] = []
    /// How long `distribution(id:)` takes, and how many such reads were in flight at most (the observation window).
    var distributionDelay: Duration = .zero
    private var distributionsInFlight = 0
    private(set) var mostDistributionsInFlight = 0

    init(writer: String, members: [String], origins: [String], buckets: [String: BucketAccess]) {
        global = GlobalDatabase(
            identifier: "hot-global", status: "available",
            members: members.map { GlobalDatabase.Member(dbClusterArn: $0, isWriter: $0 == writer, synchronizationStatus: "connected") })
        self.origins = origins
        self.buckets = buckets
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T { try lock.withLock(body) }

    private func reach(_ region: String, _ service: String, _ op: String, _ resource: String? = nil) throws {
        if locked({ unreachable.contains(region) }) {
            throw AWSError(kind: .transport, service: service, operation: op, code: "ConnectionFailed", message: "unreachable")
        }
        if let resource, locked({ missing.contains(resource) }) {
            let code = ["s3": "NoSuchBucket", "cloudfront": "NoSuchDistribution", "rds": "GlobalClusterNotFoundFault"][service] ?? "NotFound"
            throw AWSError(
                kind: .service, service: service, operation: op, code: code, message: "\(resource) not found", requestID: "req-404", httpStatus: 404)
        }
    }

    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess {
        try reach(region, "s3", "GetPublicAccessBlock", bucket)
        return locked { buckets[bucket] ?? .open }
    }

    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? {
        try reach(region, "s3", "PutPublicAccessBlock")
        locked {
            buckets[bucket] = blocked ? .blocked : .open; calls.append("s3 \(region) \(blocked ? "block" : "open") \(bucket)")
        }
        return "req-s3"
    }

    func distribution(id: String) async throws -> DistributionState {
        try reach("us-east-1", "cloudfront", "GetDistribution", id)
        let delay = locked {
            distributionsInFlight += 1
            mostDistributionsInFlight = max(mostDistributionsInFlight, distributionsInFlight)
            return distributionDelay
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return locked {
            distributionsInFlight -= 1
            return DistributionState(
                status: distributionStatus, originGroups: [OriginGroup(id: "group", memberOriginIDs: origins, failoverStatusCodes: [503])],
                defaultTargetOriginID: "group")
        }
    }

    func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String? {
        try reach("us-east-1", "cloudfront", "UpdateDistribution")
        return locked {
            guard origins.first != primary else { return nil }
            origins = [primary] + origins.filter { $0 != primary }
            calls.append("cloudfront reorder \(primary)")
            return "req-cf"
        }
    }

    var lag: LagReading?
    var missingWebsite: Set<String> = []

    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness {
        try reach(region, "s3", "HeadBucket")
        return locked { BucketReadiness(exists: buckets[bucket] != nil, website: !missingWebsite.contains(bucket)) }
    }

    /// The account-level public access block (S3 Control); nil: none.
    var accountBlock: PublicAccessBlock?

    func accountPublicAccess(region: String) async throws -> (account: String, block: PublicAccessBlock?) {
        try reach(region, "s3-control", "GetPublicAccessBlock")
        return locked { ("111122223333", accountBlock) }
    }

    func replicationLag(of cluster: ClusterARN) async throws -> LagReading? {
        try reach(cluster.region, "cloudwatch", "GetMetricStatistics")
        return locked { lag }
    }

    func globalCluster(id: String, region: String) async throws -> GlobalDatabase {
        try reach(region, "rds", "DescribeGlobalClusters", id)
        return locked { global }
    }

    func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster? {
        try reach(arn.region, "rds", "DescribeDBClusters")
        return locked {
            if let cluster = standalone[arn.description] { return cluster }
            guard global.members.contains(where: { $0.dbClusterArn == arn.description }) else { return nil }
            return AuroraCluster(arn: arn.description, identifier: arn.clusterID, status: "available", globalClusterIdentifier: global.identifier)
        }
    }

    /// How the next promotion call fails, and whether RDS acted on it before its answer was lost.
    var promoteFault: (error: AWSError, acted: Bool)?

    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        try reach(target.region, "rds", "Promote")
        let fault: (error: AWSError, acted: Bool)? = locked {
            calls.append("rds \(target.region) \(mode.rawValue)")
            let fault = promoteFault
            promoteFault = nil
            if fault == nil || fault?.acted == true {
                for i in global.members.indices { global.members[i].isWriter = global.members[i].dbClusterArn == target.description }
            }
            return fault
        }
        if let fault { throw fault.error }
        return "req-rds"
    }
}

let east = "arn:aws:rds:us-east-1:123456789012:cluster:hot-primary"
let west = "arn:aws:rds:us-west-1:123456789012:cluster:hot-secondary"

func unishop(
    active: String = "us-west-1", standby: StandbyMode = .hot, promotion: PromotionMode = .switchover, block: [String: Bool] = [:]
) -> Application {
    func region(_ name: String, _ bucket: String, _ origin: String, _ cluster: String) -> RegionSpec {
        var region = RegionSpec(name: name)
        region.bucket = bucket
        region.originID = origin
        region.auroraCluster = ClusterARN(cluster)
        region.blockPublicAccess = block[name]
        return region
    }
    var spec = ApplicationSpec(
        activeRegion: active,
        regions: [region("us-east-1", "primary-bucket", "primary-origin", east), region("us-west-1", "secondary-bucket", "secondary-origin", west)])
    spec.standby = standby
    spec.cloudfront = CloudFrontSpec(distributionID: "E1", originGroupID: "group")
    spec.aurora = AuroraSpec(globalClusterID: "hot-global", promotion: promotion)
    return Application(
        name: "unishop",
        spec: spec,
        source: .init(path: "desired-state/unishop.yaml", activeRegion: SourceLocation(path: "desired-state/unishop.yaml", line: 6, column: 17)))
}

func primaryCloud() -> FakeCloud {
    FakeCloud(
        writer: east, members: [east, west], origins: ["primary-origin", "secondary-origin"],
        buckets: ["primary-bucket": .open, "secondary-bucket": .open])
}

/// The controls of the lab's three kinds in one value: what the fakes of these tests implement.
protocol LabControls: WebsiteBucketControl, OriginGroupControl, GlobalDatabaseControl {}

extension LabControls {
    /// The registered kinds on this control.
    var kinds: ResourceKinds {
        ResourceKinds([WebsiteBucket(control: self), CloudFrontOriginGroup(control: self), AuroraGlobalDatabase(control: self)])
    }
}

extension Observer {
    init(cloud: some LabControls) { self.init(kinds: cloud.kinds) }
}

extension Reconciler {
    init(cloud: some LabControls) { self.init(kinds: cloud.kinds) }
}

extension Applier {
    init(
        cloud: some LabControls, options: ApplyOptions = ApplyOptions(), journal: @escaping @Sendable (JournalEvent) throws -> Void = { _ in }
    ) {
        self.init(kinds: cloud.kinds, options: options, journal: journal)
    }
}
