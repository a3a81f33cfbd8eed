import Reconciler
import AWS
import Foundation
import Journaling
import SwitchyardTestSupport
import Testing

/// A person's emergency failover (the writer moved in the console while Git says otherwise) is held, never reverted:
/// not by the loop, not by a fresh host, not by a laptop `apply`; `adopt` makes Git follow with no further promotion.
@Suite("Never undo a person's emergency work", .serialized)
struct DivergenceTests {
    /// Moves the writer with boto3, as a person would in the console (to us-west-1, or back to us-east-1), and waits.
    static func consoleFailover(_ world: ReliabilityWorld, _ app: Emulator.Topology, back: Bool = false) throws {
        let (region, target) = back ? ("us-east-1", app.primaryClusterARN) : ("us-west-1", app.secondaryClusterARN)
        _ = try Emulator.python([
            "-c",
            """
            import boto3
            rds = boto3.client("rds", region_name="\(region)", endpoint_url="\(world.emulator.endpoint)",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            rds.switchover_global_cluster(GlobalClusterIdentifier="\(app.globalClusterID)", TargetDbClusterIdentifier="\(target)")
            """,
        ])
        try world.emulator.completeFailovers()
    }

    @Test(
        "a console failover beside a running `run` stays where the person put it; a fresh host and a laptop apply hold it too; adopt brings Git along"
    )
    func consoleFailoverIsHeld() async throws {
        let world = try await ReliabilityWorld.make(standby: "hot")
        defer { world.close() }
        let app = world.apps[0]
        let service = try world.start(world.runArguments(once: false))
        defer { service.cleanUp() }
        let url = try await service.waitForListener()
        try await service.waitUntil("the first pass to converge") {
            guard Journal.exists(in: world.stateDir) else { return false }
            return try world.journal().appStates()[app.name]?.lastAppliedCommit != nil
        }
        try Self.consoleFailover(world, app)
        let passes = try world.journal().passes().count
        try await service.waitUntil("three more passes", timeout: 90) {
            try world.journal().passes().filter { $0.finishedAt != nil }.count >= passes + 3
        }
        #expect(try await world.live()[app.name]?.writer == app.secondaryClusterARN, "the loop did not move the writer back")
        let (body, _) = try await HTTPTestClient.get("\(url)/api/status")
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("\"verdict\":\"diverged\"") || text.contains("\"verdict\" : \"diverged\""), "\(text)")
        #expect(text.contains("moved outside Git to us-west-1"), "\(text)")
        let (metrics, _) = try await HTTPTestClient.get("\(url)/metrics")
        #expect(String(decoding: metrics, as: UTF8.self).contains("switchyard_app_diverged{app=\"\(app.name)\"} 1"))
        service.signal(SIGTERM)
        _ = try await service.waitForExit()
        let log = service.log
        #expect(log.components(separatedBy: "\(app.name) diverged: ").count == 2, "one notice: \(log)")

        // A fresh host (a new state folder) and a laptop apply hold it as well: exit 1, naming both ways forward.
        var arguments = world.runArguments(once: true)
        arguments[arguments.firstIndex(of: world.stateDir)!] = world.git.path("fresh")
        let once = try await world.switchyard(arguments)
        #expect(once.status == 1, "\(once.stdout)\n\(once.stderr)")
        let laptop = try await world.switchyard(["apply", "--state-dir", world.git.path("laptop")] + world.awsArguments)
        #expect(laptop.status == 1, "\(laptop.stdout)\n\(laptop.stderr)")
        #expect(laptop.stdout.contains("switchyard adopt \(app.name)") && laptop.stdout.contains("--reassert \(app.name)"), "\(laptop.stdout)")
        #expect(try await world.live()[app.name]?.writer == app.secondaryClusterARN)
        let promotions = try world.emulator.callCounts()["rds:SwitchoverGlobalCluster", default: 0]

        // adopt commits where the app serves; applying it moves traffic along with no further promotion.
        let adopt = try await world.switchyard(["adopt", app.name] + world.awsArguments)
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(try world.git.git("show", "HEAD:desired-state/\(app.name).yaml", in: world.repo).contains("activeRegion: us-west-1"))
        let apply = try await world.switchyard(world.applyArguments)
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try await world.live()[app.name] == world.converged(app, to: "us-west-1"))
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster", default: 0] == promotions, "no further promotion")
        // The report of the adopted failover says the writer was moved by hand, not by Switchyard.
        let report = try await world.switchyard(["report", "--state-dir", world.stateDir])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("outside Git") && report.stdout.contains("moved by hand, not by Switchyard"), "\(report.stdout)")
    }

    @Test("adopt refuses a flip committed and not carried out yet, and a divergence of traffic alone")
    func adoptRefusals() async throws {
        let world = try await ReliabilityWorld.make(standby: "hot")
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        let pending = try await world.switchyard(["adopt", app.name] + world.awsArguments)
        #expect(pending.status == 1)
        #expect(pending.stderr.contains("failover pending, not diverged"), "\(pending.stderr)")
        #expect(try world.git.git("show", "HEAD:desired-state/\(app.name).yaml", in: world.repo).contains("activeRegion: us-west-1"))
        // Back at us-east-1, a person puts the us-west-1 origin first, and nothing else: traffic alone moved.
        try world.commit(activeRegion: "us-east-1", message: "Stay in us-east-1")
        _ = try Emulator.python([
            "-c",
            """
            import boto3
            cf = boto3.client("cloudfront", region_name="us-east-1", endpoint_url="\(world.emulator.endpoint)",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            d = cf.get_distribution_config(Id="\(app.distributionID)")
            config = d["DistributionConfig"]
            for group in config["OriginGroups"]["Items"]:
                group["Members"]["Items"].reverse()
            cf.update_distribution(Id="\(app.distributionID)", IfMatch=d["ETag"], DistributionConfig=config)
            """,
        ])
        let held = try await world.switchyard(world.applyArguments)
        #expect(held.status == 1 && held.stdout.contains("diverged"), "\(held.stdout)")
        let trafficOnly = try await world.switchyard(["adopt", app.name] + world.awsArguments)
        #expect(trafficOnly.status == 1)
        #expect(trafficOnly.stderr.contains("only traffic of \(app.name) was moved outside Git"), "\(trafficOnly.stderr)")
    }

    @Test("a fresh host with the lock table holds a failover a person made after another host converged")
    func freshHostWithLockTable() async throws {
        let world = try await ReliabilityWorld.make(standby: "hot", lockTable: true)
        defer { world.close() }
        let app = world.apps[0]
        #expect(try await world.switchyard(world.applyArguments).status == 0)
        try world.commit(activeRegion: "us-west-1", message: "Fail over to us-west-1")
        #expect(try await world.switchyard(world.applyArguments).status == 0)
        // A person fails back by hand; a replacement host with an empty state folder starts.
        try Self.consoleFailover(world, app, back: true)
        let fresh = try await world.switchyard(["apply", "--state-dir", world.git.path("replacement")] + world.awsArguments)
        #expect(fresh.status == 1, "\(fresh.stdout)\n\(fresh.stderr)")
        #expect(fresh.stdout.contains("diverged"), "\(fresh.stdout)")
        #expect(try await world.live()[app.name]?.writer == app.primaryClusterARN, "the person's failover stands")
    }

    @Test("every bucket blocked by hand (the site taken down) is held, not reopened")
    func takenDown() async throws {
        let world = try await ReliabilityWorld.make(standby: "hot")
        defer { world.close() }
        let app = world.apps[0]
        #expect(try await world.switchyard(world.applyArguments).status == 0)
        for (region, bucket) in [("us-east-1", app.primaryBucket), ("us-west-1", app.secondaryBucket)] {
            _ = try Emulator.python([
                "-c",
                """
                import boto3
                s3 = boto3.client("s3", region_name="\(region)", endpoint_url="\(world.emulator.endpoint)",
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
                s3.put_public_access_block(Bucket="\(bucket)", PublicAccessBlockConfiguration={"BlockPublicAcls": True,
                    "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
                """,
            ])
        }
        let apply = try await world.switchyard(world.applyArguments)
        #expect(apply.status == 1 && apply.stdout.contains("diverged"), "\(apply.stdout)")
        let live = try await world.live()[app.name]
        #expect(live?.primaryBucket == "blocked" && live?.secondaryBucket == "blocked")
    }

    @Test("--reassert APP moves a diverged app back to its file; other drift is corrected as before")
    func reassert() async throws {
        let world = try await ReliabilityWorld.make(standby: "hot")
        defer { world.close() }
        let app = world.apps[0]
        let setup = try await world.switchyard(world.applyArguments)
        try #require(setup.status == 0, "\(setup.stderr)")
        try Self.consoleFailover(world, app)
        let held = try await world.switchyard(world.applyArguments)
        #expect(held.status == 1)
        #expect(held.stdout.contains("diverged"), "\(held.stdout)")
        let back = try await world.switchyard(world.applyArguments + ["--reassert", app.name])
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(try await world.live()[app.name] == world.converged(app, to: "us-east-1"))
    }
}
