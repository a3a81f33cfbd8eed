import AWS
import DesiredState
import Reconciler
import Testing

@Suite("Planning from the difference")
struct PlannerTests {
    func plan(_ app: Application, _ cloud: FakeCloud) async -> AppPlan {
        Planner.plan(app, live: await Observer(cloud: cloud).observe(app))
    }

    @Test("in sync: no steps")
    func inSync() async {
        let p = await plan(unishop(active: "us-east-1"), primaryCloud())
        #expect(p.inSync)
        #expect(Verdict.of(p) == .inSync)
    }

    @Test("a flip: promote, then reorder; nothing for what is already right")
    func flip() async {
        let p = await plan(unishop(), primaryCloud())
        #expect(p.steps.map(\.action) == [.promoteAurora, .reorderOriginGroup])
        #expect(p.steps[0].region == "us-west-1", "the promotion goes to the new region's endpoint")
        #expect(p.steps[1].originOrder == ["secondary-origin", "primary-origin"])
        #expect(Verdict.of(p) == .drifted)
    }

    @Test("fenced: open the new active bucket first, block the old one last")
    func fenced() async {
        let cloud = primaryCloud()
        cloud.buckets["secondary-bucket"] = .blocked
        let p = await plan(unishop(standby: .fenced), cloud)
        #expect(p.steps.map(\.action) == [.promoteAurora, .openBucket, .reorderOriginGroup, .blockBucket])
        #expect(p.steps[3].resource == "primary-bucket")
        #expect(p.steps[3].needsActiveBucketOpen)
    }

    @Test("a promotion under way toward the target is awaited, not repeated")
    func underWay() async {
        let cloud = primaryCloud()
        cloud.global.failoverState = GlobalClusterFailoverState(status: "switching-over", fromDBClusterArn: east, toDBClusterArn: west, isDataLossAllowed: false)
        let p = await plan(unishop(), cloud)
        #expect(p.steps.first?.action == .awaitPromotion)
        #expect(p.steps.first?.isMutating == false)
    }

    @Test("a promotion under way elsewhere blocks the app")
    func underWayElsewhere() async {
        let cloud = primaryCloud()
        cloud.global.failoverState = GlobalClusterFailoverState(status: "failing-over", fromDBClusterArn: west, toDBClusterArn: east, isDataLossAllowed: true)
        let p = await plan(unishop(), cloud)
        #expect(Verdict.of(p) == .blocked)
    }

    @Test("failover warns of data loss")
    func dataLossWarning() async {
        let p = await plan(unishop(promotion: .failover), primaryCloud())
        #expect(p.warnings.contains { $0.contains("allows data loss") })
    }

    @Test("a region that does not answer leaves its part unknown, and the rest planned")
    func unreachable() async {
        let cloud = primaryCloud()
        cloud.unreachable = ["us-east-1"]
        cloud.buckets["primary-bucket"] = .open
        let p = await plan(unishop(standby: .fenced), cloud)
        #expect(p.steps.first?.action == .promoteAurora, "Aurora is observed from the new region")
        #expect(!p.unobserved.isEmpty)
        #expect(Verdict.of(p) == .degraded)
    }

    @Test("an origin group without the active region's origin is a blocker")
    func missingOrigin() async {
        let cloud = primaryCloud()
        cloud.origins = ["primary-origin"]
        let p = await plan(unishop(), cloud)
        #expect(p.blockers.contains { $0.reason.contains("lacks secondary-origin") })
    }
}

@Suite("Applying in a safe order")
struct ApplierTests {
    @Test("steps needing the active bucket wait while it cannot be opened; Aurora still promotes")
    func activeBucketFirst() async {
        let cloud = primaryCloud()
        cloud.buckets["secondary-bucket"] = .blocked
        let app = unishop(standby: .fenced)
        let plan = Planner.plan(app, live: await Observer(cloud: cloud).observe(app))
        let failing = S3Outage(base: cloud, region: "us-west-1")
        let outcomes = await Applier(cloud: failing, options: ApplyOptions(pollInterval: .milliseconds(1))).apply(plan, for: app)
        #expect(outcomes.map(\.status) == [.done, .pending, .pending, .pending])
        #expect(cloud.calls == ["rds us-west-1 switchover"])
        #expect(cloud.buckets["primary-bucket"] == .open, "the old region is never fenced before the new one serves")
    }

    @Test("re-observed before acting: an already promoted target is not promoted again")
    func reobserves() async {
        let cloud = primaryCloud()
        let app = unishop()
        let plan = Planner.plan(app, live: await Observer(cloud: cloud).observe(app))
        _ = try? await cloud.promote(.switchover, globalClusterID: "hot-global", target: ClusterARN(west)!)
        let outcomes = await Applier(cloud: cloud).apply(plan, for: app)
        #expect(outcomes.first?.status == .alreadyDone)
        #expect(cloud.calls.filter { $0.hasPrefix("rds") }.count == 1)
    }

    @Test("a blocked plan does nothing")
    func blocked() async {
        let cloud = primaryCloud()
        cloud.origins = ["primary-origin"]
        let app = unishop()
        let plan = Planner.plan(app, live: await Observer(cloud: cloud).observe(app))
        #expect(await Applier(cloud: cloud).apply(plan, for: app).isEmpty)
        #expect(cloud.calls.isEmpty)
    }
}

/// Passes everything through except S3 calls in one region, which fail as unreachable.
struct S3Outage: CloudControl {
    let base: FakeCloud
    let region: String

    func fail(_ op: String) -> AWSError { AWSError(kind: .transport, service: "s3", operation: op, code: "ConnectionFailed", message: "unreachable") }
    func bucketAccess(bucket: String, region: String) async throws -> BucketAccess {
        if region == self.region { throw fail("GetPublicAccessBlock") }
        return try await base.bucketAccess(bucket: bucket, region: region)
    }
    func setBucketAccess(bucket: String, region: String, blocked: Bool) async throws -> String? {
        if region == self.region { throw fail("PutPublicAccessBlock") }
        return try await base.setBucketAccess(bucket: bucket, region: region, blocked: blocked)
    }
    func distribution(id: String) async throws -> DistributionState { try await base.distribution(id: id) }
    func reorderOriginGroup(distributionID: String, groupID: String, primary: String) async throws -> String? {
        try await base.reorderOriginGroup(distributionID: distributionID, groupID: groupID, primary: primary)
    }
    func globalCluster(id: String, region: String) async throws -> GlobalCluster { try await base.globalCluster(id: id, region: region) }
    func dbCluster(_ arn: ClusterARN) async throws -> DBCluster? { try await base.dbCluster(arn) }
    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        try await base.promote(mode, globalClusterID: globalClusterID, target: target)
    }
}
