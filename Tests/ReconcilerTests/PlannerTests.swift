import AWS
import DesiredState
import Foundation
import Reconciler
import Testing

@Suite("Planning from the difference")
struct PlannerTests {
    func plan(_ app: Application, _ cloud: FakeCloud) async -> AppPlan {
        await Observer(cloud: cloud).plan(app)
    }

    @Test("a large repository is observed 32 applications at a time, and plans come back in the set's order")
    func observationWindow() async {
        let cloud = primaryCloud()
        cloud.distributionDelay = .milliseconds(5)
        let apps = (0..<100).map { n in
            var app = unishop(active: "us-east-1")
            app.name = "app-\(n)"
            return app
        }
        let state = DesiredStateSet(applications: apps)
        let plans = await Reconciler(cloud: cloud).plan(state)
        #expect(plans.map(\.app) == state.applications.map(\.name))
        #expect(plans.filter(\.inSync).count == apps.count)
        #expect(cloud.mostDistributionsInFlight <= Reconciler.observationWindow)
        #expect(cloud.mostDistributionsInFlight > 1, "apps are still observed concurrently")
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
        #expect(p.steps.map(\.id) == ["aurora", "open:us-west-1", "origins", "block:us-east-1"])
        #expect(p.steps[1].dependsOn == ["aurora"], "opening the standby sends it traffic: only once its database writes")
        #expect(p.steps[2].dependsOn == ["aurora", "open:us-west-1"])
        #expect(p.steps[3].dependsOn == ["aurora", "open:us-west-1"], "fencing waits for the promotion and the new bucket")
    }

    @Test("a promotion under way toward the target is awaited, not repeated")
    func underWay() async {
        let cloud = primaryCloud()
        cloud.global.failoverState = GlobalDatabase.FailoverState(status: "switching-over", fromDBClusterArn: east, toDBClusterArn: west)
        let p = await plan(unishop(), cloud)
        #expect(p.steps.first?.action == .awaitPromotion)
        #expect(p.steps.first?.isMutating == false)
    }

    @Test("a promotion under way elsewhere blocks the app")
    func underWayElsewhere() async {
        let cloud = primaryCloud()
        cloud.global.failoverState = GlobalDatabase.FailoverState(status: "failing-over", fromDBClusterArn: west, toDBClusterArn: east)
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
        let plan = await Observer(cloud: cloud).plan(app)
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
        let plan = await Observer(cloud: cloud).plan(app)
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
        let plan = await Observer(cloud: cloud).plan(app)
        #expect(await Applier(cloud: cloud).apply(plan, for: app).isEmpty)
        #expect(cloud.calls.isEmpty)
    }
}

/// Passes everything through except S3 calls in one region, which fail as unreachable.
struct S3Outage: LabControls {
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
    func globalCluster(id: String, region: String) async throws -> GlobalDatabase { try await base.globalCluster(id: id, region: region) }
    func bucketReadiness(bucket: String, region: String) async throws -> BucketReadiness {
        if region == self.region { throw fail("HeadBucket") }
        return try await base.bucketReadiness(bucket: bucket, region: region)
    }
    func accountPublicAccess(region: String) async throws -> (account: String, block: PublicAccessBlock?) {
        if region == self.region { throw fail("GetPublicAccessBlock") }
        return try await base.accountPublicAccess(region: region)
    }
    func replicationLag(of cluster: ClusterARN) async throws -> LagReading? { try await base.replicationLag(of: cluster) }
    func dbCluster(_ arn: ClusterARN) async throws -> AuroraCluster? { try await base.dbCluster(arn) }
    func promote(_ mode: PromotionMode, globalClusterID: String, target: ClusterARN) async throws -> String? {
        try await base.promote(mode, globalClusterID: globalClusterID, target: target)
    }
}

@Suite("Safety checks")
struct SafetyCheckTests {
    func plan(_ app: Application, _ cloud: FakeCloud, _ safety: SafetyContext = SafetyContext()) async -> AppPlan {
        await Observer(cloud: cloud).plan(app, safety: safety)
    }

    @Test("a switchover needs every secondary connected; a failover does not")
    func replicasConnected() async {
        let cloud = primaryCloud()
        cloud.global.members[1].synchronizationStatus = "pending-resync"
        #expect(Verdict.of(await plan(unishop(), cloud)) == .blocked)
        #expect(Verdict.of(await plan(unishop(promotion: .failover), cloud)) == .drifted)
    }

    @Test("dwell blocks a flip inside minDwell, unless overridden; an in-sync app is never blocked by it")
    func dwell() async {
        var app = unishop()
        app.spec.safety.minDwell = .seconds(3600)
        let now = Date()
        let recent = SafetyContext(now: now, lastFlip: now.addingTimeInterval(-600), lastFlipSource: "journal")
        let blocked = await plan(app, primaryCloud(), recent)
        #expect(blocked.blockers.contains { $0.reason.hasPrefix("dwell:") && $0.reason.contains("Switchyard-Override: dwell") })
        var overridden = recent
        overridden.overrides = ["dwell"]
        #expect(await plan(app, primaryCloud(), overridden).blockers.isEmpty)
        let old = SafetyContext(now: now, lastFlip: now.addingTimeInterval(-7200))
        #expect(await plan(app, primaryCloud(), old).blockers.isEmpty)
        var inSync = unishop(active: "us-east-1")
        inSync.spec.safety.minDwell = .seconds(3600)
        #expect(await plan(inSync, primaryCloud(), recent).inSync)
    }

    @Test("the lag gate reads CloudWatch: missing or high lag blocks, low lag passes")
    func lag() async {
        var app = unishop()
        app.spec.aurora?.maxReplicationLag = .seconds(30)
        let cloud = primaryCloud()
        #expect(await plan(app, cloud).blockers.contains { $0.reason.contains("no AuroraGlobalDBReplicationLag") })
        cloud.lag = LagReading(metric: "AuroraGlobalDBReplicationLag", milliseconds: 45_000, timestamp: Date())
        #expect(await plan(app, cloud).blockers.contains { $0.reason.contains("above the limit") })
        cloud.lag = LagReading(metric: "AuroraGlobalDBReplicationLag", milliseconds: 900, timestamp: Date())
        #expect(await plan(app, cloud).blockers.isEmpty)
    }

    @Test("a target bucket without website hosting blocks the flip")
    func website() async {
        let cloud = primaryCloud()
        cloud.missingWebsite = ["secondary-bucket"]
        #expect(await plan(unishop(), cloud).blockers.contains { $0.reason.contains("no website hosting") })
    }
}
