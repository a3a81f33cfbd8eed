import Basics
import Foundation
import SwitchyardTestSupport
import Testing

/// Each gate of docs/SAFETY.md against the emulator: blocked and allowed, and a blocked app left untouched while another proceeds.
@Suite("Safety gates against the emulator", .serialized)
struct SafetyGateTests {
    typealias World = FailoverTests.World

    /// Adds lines under `spec.aurora` (or a `spec.safety` section) of one app's file, and commits.
    func amend(_ world: World, app: String, aurora: String? = nil, safety: String? = nil) throws {
        let path = "\(world.repo)/desired-state/\(app).yaml"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if let aurora { text = text.replacingOccurrences(of: "    promotion: switchover\n", with: "    promotion: switchover\n    \(aurora)\n") }
        if let safety { text += "  safety:\n    \(safety)\n" }
        try world.fixture.write(text, to: path)
        try world.fixture.git("commit", "-q", "-am", "Add a safety setting to \(app)", in: world.repo)
    }

    func putLag(_ world: World, cluster: String, milliseconds: Double, secondsAgo: Double) throws {
        _ = try Emulator.python([
            "-c",
            """
            import boto3, datetime, sys
            cw = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="us-west-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
            when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=float(sys.argv[4]))
            cw.put_metric_data(Namespace="AWS/RDS", MetricData=[{"MetricName": "AuroraGlobalDBReplicationLag",
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": sys.argv[2]}], "Timestamp": when,
                "Value": float(sys.argv[3]), "Unit": "Milliseconds"}])
            """, world.emulator.endpoint, cluster, "\(milliseconds)", "\(secondsAgo)",
        ])
    }

    @Test("replication lag: no datapoint and a high lag block the promotion; a low lag allows it; the other app proceeds")
    func replicationLag() throws {
        let world = try World(count: 2)
        defer { world.close() }
        try amend(world, app: "hot", aurora: "maxReplicationLag: 30s")
        try world.flip(to: "us-west-1")

        var plan = try world.switchyard("plan")
        #expect(plan.stdout.contains("replication-lag: no AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag datapoint"), "\(plan.stdout)")
        var apply = try world.switchyard("apply")
        #expect(apply.status == 1)
        #expect(try world.live(0).writer == world.cluster("primary", 0), "the blocked app is untouched")
        #expect(try world.live(1).writer == world.cluster("secondary", 1), "the other app proceeds")

        try putLag(world, cluster: "hot-secondary", milliseconds: 45_000, secondsAgo: 180)
        plan = try world.switchyard("plan", "--format", "markdown")
        #expect(plan.stdout.contains("AuroraGlobalDBReplicationLag 45s"), "\(plan.stdout)")
        #expect(plan.stdout.contains("above the limit"))
        #expect(try world.switchyard("apply").status == 1)
        #expect(try world.emulator.callCounts()["rds:SwitchoverGlobalCluster"] == 1, "only the other app promoted")

        try putLag(world, cluster: "hot-secondary", milliseconds: 2_000, secondsAgo: 10)
        apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try world.live(0).writer == world.cluster("secondary", 0))
    }

    @Test("dwell: a flip back within minDwell is blocked until the commit says Switchyard-Override: dwell")
    func dwell() throws {
        let world = try World(count: 2)
        defer { world.close() }
        try amend(world, app: "hot", safety: "minDwell: 1h")
        try world.flip(to: "us-west-1")
        #expect(try world.switchyard("apply").status == 0, "the first flip has no earlier flip to dwell on")

        try world.flip(to: "us-east-1")
        let plan = try world.switchyard("plan")
        #expect(plan.stdout.contains("dwell:"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Switchyard-Override: dwell"))
        #expect(try world.switchyard("apply").status == 1)
        #expect(try world.live(0).writer == world.cluster("secondary", 0), "the blocked app stays where it converged")
        #expect(try world.live(1).writer == world.cluster("primary", 1), "the other app, without minDwell, flipped back")

        let message = "Fail back hot\n\nThe primary is healthy again.\n\nSwitchyard-Override: dwell\n"
        try world.fixture.git("commit", "-q", "--amend", "-m", message, in: world.repo)
        let apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try world.live(0).writer == world.cluster("primary", 0))
    }

    @Test("preflight: a target bucket without website hosting blocks that app only")
    func preflightWebsite() throws {
        let world = try World(count: 2)
        defer { world.close() }
        let bucket = ((world.apps[0]["buckets"] as? [String: [String: String]])?["secondary"]?["name"])!
        _ = try Emulator.python([
            "-c",
            """
            import boto3, sys
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            s3.delete_bucket_website(Bucket=sys.argv[2])
            """, world.emulator.endpoint, bucket,
        ])
        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.stdout.contains("target-bucket: bucket \(bucket) has no website hosting configured"), "\(plan.stdout)")
        #expect(try world.switchyard("apply").status == 1)
        #expect(try world.live(0).writer == world.cluster("primary", 0))
        #expect(try world.live(0).origins.first == "hot-primary-origin")
        #expect(try world.live(1).writer == world.cluster("secondary", 1))
    }

    @Test("fail-closed: a file that would block every bucket is refused at validate and plan, calling nothing")
    func failClosed() throws {
        let world = try World()
        defer { world.close() }
        let path = world.repo + "/desired-state/hot.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "standby: hot", with: "standby: fenced")
            .replacingOccurrences(
                of: "      bucket: hot-primary-uibucket-example\n",
                with: "      bucket: hot-primary-uibucket-example\n      blockPublicAccess: true\n")
        try world.fixture.write(text, to: path)
        try world.fixture.git("commit", "-q", "-am", "Block everything", in: world.repo)
        for command in ["validate", "plan"] {
            let result = try world.switchyard(command)
            #expect(result.status == 1)
            #expect(result.stderr.contains("no region could serve (fail-closed)"), "\(result.stderr)")
        }
        #expect(try world.emulator.callCounts().isEmpty)
    }
}
