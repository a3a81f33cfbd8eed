import AWS
import DesiredState
import Foundation
import Reconciler
import Testing

/// Where the planner cannot know, it does not act: a declared resource that does not exist blocks the app, and a writer
/// that cannot be read holds traffic and fencing back.
@Suite("No dependency is ever dropped")
struct NoDependencyDroppedTests {
    func located(_ app: Application) -> Application {
        var app = app
        for field in [
            "spec.aurora.globalClusterId", "spec.cloudfront.distributionId", "spec.regions.us-west-1.bucket", "spec.regions.us-east-1.bucket",
        ] {
            app.source.fields[field] = SourceLocation(path: app.source.path, line: 20, column: 7)
        }
        return app
    }

    @Test(
        "a declared resource AWS does not know blocks the app, naming the file's field, and nothing is done",
        arguments: [
            ("hot-global", "spec.aurora.globalClusterId"), ("E1", "spec.cloudfront.distributionId"),
            ("secondary-bucket", "spec.regions.us-west-1.bucket"), ("primary-bucket", "spec.regions.us-east-1.bucket"),
        ])
    func missingResource(resource: String, field: String) async {
        let cloud = primaryCloud()
        cloud.missing = [resource]
        let app = located(unishop(standby: .fenced))
        let plan = await Observer(cloud: cloud).plan(app)
        let blocker = plan.blockers.first { $0.code == BlockerCode.resourceMissing }
        #expect(blocker != nil, "\(plan.blockers)")
        #expect(blocker?.reason.hasPrefix("desired-state/unishop.yaml:20:7: \(field) names a resource that does not exist") == true)
        #expect(blocker?.reason.contains("request id req-404") == true)
        #expect(Verdict.of(plan) == .blocked)
        let outcomes = await Applier(cloud: cloud).apply(plan, for: app)
        #expect(outcomes.isEmpty)
        #expect(cloud.calls.isEmpty, "no mutating call at all: \(cloud.calls)")
    }

    @Test("RDS unreachable in every region: the writer is unknown, traffic and fencing wait on it, nothing moves", arguments: [false, true])
    func writerUnknown(fenced: Bool) async {
        let cloud = primaryCloud()
        cloud.buckets["secondary-bucket"] = fenced ? .blocked : .open
        let app = unishop(standby: fenced ? .fenced : .hot)
        // Both regions' RDS endpoints are down; S3 and CloudFront answer.
        let rdsDown = RDSDown(base: cloud, regions: ["us-east-1", "us-west-1"])
        let plan = await Observer(cloud: rdsDown).plan(app)
        #expect(plan.steps.first?.id == "aurora")
        #expect(plan.steps.first?.action == .awaitPromotion)
        #expect(plan.steps.dropFirst().allSatisfy { $0.dependsOn.contains("aurora") || $0.region == "us-west-1" && $0.action == .openBucket })
        #expect(Verdict.of(plan) == .degraded)
        let outcomes = await Applier(cloud: rdsDown).apply(plan, for: app)
        #expect(outcomes.allSatisfy { $0.status == .pending }, "\(outcomes.map(\.message))")
        #expect(cloud.calls.isEmpty, "no traffic or fencing call: \(cloud.calls)")
        #expect(cloud.origins == ["primary-origin", "secondary-origin"])
    }

    @Test("RDS unreachable only in the region being made active: the plan promotes there, and the failed call holds traffic back")
    func targetRegionDown() async {
        let cloud = primaryCloud()
        cloud.unreachable = ["us-west-1"]
        let app = unishop()
        let plan = await Observer(cloud: cloud).plan(app)
        let outcomes = await Applier(cloud: cloud).apply(plan, for: app)
        #expect(!outcomes.contains { $0.status == .done }, "\(outcomes.map(\.message))")
        #expect(cloud.origins == ["primary-origin", "secondary-origin"], "traffic did not move without the writer")
    }

    @Test("a writer that could not be read at plan time but is in the target when re-read lets traffic follow")
    func writerSeenWhenReRead() async {
        let cloud = primaryCloud()
        for i in cloud.global.members.indices { cloud.global.members[i].isWriter = cloud.global.members[i].dbClusterArn == west }
        let app = unishop()
        let plan = await Observer(cloud: RDSDown(base: cloud, regions: ["us-east-1", "us-west-1"])).plan(app)
        #expect(plan.steps.first?.action == .awaitPromotion)
        let outcomes = await Applier(cloud: cloud).apply(plan, for: app)
        #expect(outcomes.first?.status == .alreadyDone)
        #expect(cloud.origins == ["secondary-origin", "primary-origin"])
    }
}

/// RDS down in some regions, everything else from the base cloud.
struct RDSDown: LabControls {
    let base: FakeCloud
    let regions: Set<String>

    func down(_ region: String) throws {
        if regions.contains(region) {
            throw AWSError(kind: .transport, service: "rds", operation: "DescribeGlobalClusters", code: "ConnectionFailed", message: "unreachable")
        }
    }
    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess { try await base.bucketAccess(bucket: bucket, region: region) }
    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? {
        try await base.setBucketAccess(bucket: bucket, region: region, blocked: blocked)
    }
    func distribution(id: String) async throws -> DistributionState { try await base.distribution(id: id) }
    func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String? {
        try await base.reorderOriginGroup(distributionID: distributionID, groupID: groupID, primary: primary)
    }
    func globalCluster(id: String, region: String) async throws -> GlobalDatabase {
        try down(region)
        return try await base.globalCluster(id: id, region: region)
    }
    func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster? {
        try down(arn.region)
        return try await base.dbCluster(arn)
    }
    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness {
        try await base.bucketReadiness(bucket: bucket, region: region)
    }
    func accountPublicAccess(region: String) async throws -> (account: String, block: PublicAccessBlock?) {
        try await base.accountPublicAccess(region: region)
    }
    func replicationLag(of cluster: ClusterARN) async throws -> LagReading? { try await base.replicationLag(of: cluster) }
    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        try down(target.region)
        return try await base.promote(mode, globalClusterID: globalClusterID, target: target)
    }
}

@Suite("A global cluster member the file does not declare")
struct UndeclaredMemberTests {
    static let third = "arn:aws:rds:eu-west-1:123456789012:cluster:hot-third"

    @Test("is named in the plan; as the writer, it blocks the app and nothing is promoted away from it")
    func undeclaredWriter() async {
        let cloud = FakeCloud(
            writer: Self.third, members: [east, west, Self.third], origins: ["primary-origin", "secondary-origin"],
            buckets: ["primary-bucket": .open, "secondary-bucket": .open])
        let plan = await Observer(cloud: cloud).plan(unishop(active: "us-east-1"))
        #expect(plan.warnings.contains { $0.contains("members the file does not declare: \(Self.third)") }, "\(plan.warnings)")
        #expect(plan.blockers.contains { $0.code == BlockerCode.undeclaredWriter && $0.reason.contains(Self.third) }, "\(plan.blockers)")
        #expect(!plan.blockers.contains { $0.reason.contains("no writer") })
        #expect(await Applier(cloud: cloud).apply(plan, for: unishop(active: "us-east-1")).isEmpty)
        #expect(cloud.calls.isEmpty)
    }

    @Test("as a reader it is only named: the failover goes on")
    func undeclaredReader() async {
        let cloud = FakeCloud(
            writer: east, members: [east, west, Self.third], origins: ["primary-origin", "secondary-origin"],
            buckets: ["primary-bucket": .open, "secondary-bucket": .open])
        let plan = await Observer(cloud: cloud).plan(unishop())
        #expect(plan.warnings.contains { $0.contains(Self.third) })
        #expect(plan.steps.first?.action == .promoteAurora)
    }
}
