import Foundation
import SwitchyardTestSupport
import Testing

/// `switchyard readiness` and `plan --to` against the emulator: the healthy lab is ready; each way a standby can be
/// broken by hand is named (code and resource), and shows in the plan before a flip toward it.
@Suite("Readiness against the emulator", .serialized)
struct ReadinessTests {
    typealias World = FailoverTests.World

    /// A way to break the standby (us-west-1), the problem's code, words it names, and whether the failover would fail
    /// (a blocker in the plan) or only be slower (a warning).
    struct Break: Sendable, CustomTestStringConvertible {
        var name: String
        var standby = "hot"
        var code: String
        var names: String
        var blocks = true
        var testDescription: String { name }
    }

    static let breaks = [
        Break(name: "the standby bucket's website configuration deleted", code: "preflight:target-bucket", names: "hot-secondary-uibucket-example"),
        Break(name: "account-level Block Public Access on", code: "preflight:account-public-access", names: "RestrictPublicBuckets"),
        Break(
            name: "fenced, with failover criteria lacking 403", standby: "fenced", code: "preflight:failover-criteria",
            names: "hot-standby-origin-group", blocks: false),
        Break(name: "a secondary cluster with no instances", code: "preflight:target-instances", names: "hot-secondary"),
        Break(name: "a secondary cluster on another engine version (switchover)", code: "preflight:engine-version", names: "hot-secondary"),
    ]

    func breakStandby(_ world: World, _ what: Break) throws {
        let app = world.apps[0]
        switch what.code {
        case "preflight:target-bucket":
            _ = try world.emulator.boto("s3", "us-west-1", "delete_bucket_website", ["Bucket": "hot-secondary-uibucket-example"])
        case "preflight:account-public-access":
            let script = """
                import boto3, re, sys
                c = boto3.client("s3control", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="testing", aws_secret_access_key="testing")
                c.meta.events.register("before-send.s3-control", lambda request, **_: setattr(request, "url", re.sub(r"^(https?://)\\d{12}\\.", r"\\1", request.url)))
                c.put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
                """
            _ = try Emulator.python(["-c", script, world.emulator.endpoint])
        case "preflight:failover-criteria":
            let distribution = try #require((app["distribution"] as? [String: String])?["id"])
            let script = """
                import boto3, sys
                cf = boto3.client("cloudfront", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="testing", aws_secret_access_key="testing")
                current = cf.get_distribution_config(Id=sys.argv[2])
                config = current["DistributionConfig"]
                config["OriginGroups"]["Items"][0]["FailoverCriteria"]["StatusCodes"] = {"Quantity": 3, "Items": [500, 502, 503]}
                cf.update_distribution(Id=sys.argv[2], IfMatch=current["ETag"], DistributionConfig=config)
                """
            _ = try Emulator.python(["-c", script, world.emulator.endpoint, distribution])
        case "preflight:target-instances":
            _ = try world.emulator.boto(
                "rds", "us-west-1", "delete_db_instance", ["DBInstanceIdentifier": "hot-secondary-instance-1", "SkipFinalSnapshot": true])
        case "preflight:engine-version":
            _ = try world.emulator.boto(
                "rds", "us-west-1", "modify_db_cluster",
                ["DBClusterIdentifier": "hot-secondary", "EngineVersion": "8.0.mysql_aurora.3.99.0", "ApplyImmediately": true])
        default:
            Issue.record("no way to break \(what.code)")
        }
    }

    @Test("the healthy lab is ready: exit 0, and the JSON carries the plan and every check")
    func healthy() async throws {
        let world = try World(failoverSeconds: 1, standby: "fenced")
        defer { world.close() }
        try world.emulator.resetCalls()
        let text = try world.switchyard("readiness")
        #expect(text.status == 0, "\(text.stdout)\n\(text.stderr)")
        #expect(text.stdout.contains("hot: us-east-1 → us-west-1: ready to fail over"), "\(text.stdout)")
        let json = try world.switchyard("readiness", "--format", "json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["ready"] as? Bool == true && document["schemaVersion"] as? Int == 1)
        let target = try #require((document["targets"] as? [[String: Any]])?.first)
        let checks = ((target["plan"] as? [String: Any])?["checks"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        for check in [
            "target-bucket", "account-public-access", "origin-group", "default-behavior", "failover-criteria", "target-cluster", "target-instances",
            "engine-version",
        ] {
            #expect(checks.contains(check), "\(check) evaluated: \(checks)")
        }
        let mutating = try await world.emulator.callLog(mutating: true)
        #expect(mutating.isEmpty, "no mutating call: \(mutating)")
        let markdown = try world.switchyard("readiness", "--format", "markdown", "--to", "us-west-1")
        #expect(markdown.status == 0 && markdown.stdout.contains(":white_check_mark: ready"), "\(markdown.stdout)")
        for region in ["eu-central-1", "us-east-1"] {
            let none = try world.switchyard("readiness", "--to", region)
            #expect(none.status == 1 && none.stderr.contains("no selected application can fail over to \(region)"), "\(none.stderr)")
        }
        let whatIf = try world.switchyard("plan", "--to", "us-west-1")
        #expect(whatIf.status == 2 && whatIf.stdout.hasPrefix("what-if: the plan a commit making us-west-1 active would run now"), "\(whatIf.stdout)")
        let whatIfJSON = try world.switchyard("plan", "--to", "us-west-1", "--format", "json")
        #expect((try JSONSerialization.jsonObject(with: Data(whatIfJSON.stdout.utf8)) as? [String: Any])?["whatIf"] as? String == "us-west-1")
    }

    @Test("a flip the file itself would refuse is not ready (invalid-flip), though AWS would allow it")
    func invalidFlip() throws {
        let world = try World(failoverSeconds: 1, standby: "fenced")
        defer { world.close() }
        // us-west-1 forced blocked: a flip there would leave no bucket to serve, which validate refuses (fail-closed).
        try world.fixture.write(
            World.yaml(world.apps[0], active: "us-east-1", standby: "fenced", promotion: "switchover", override: "us-west-1"),
            to: "\(world.repo)/desired-state/\(world.apps[0]["name"]!).yaml")
        try world.fixture.git("commit", "-q", "-am", "Force the standby bucket blocked", in: world.repo)
        let readiness = try world.switchyard("readiness")
        #expect(readiness.status == 2 && readiness.stdout.contains("✗ [invalid-flip]"), "\(readiness.stdout)\n\(readiness.stderr)")
    }

    @Test("a broken standby: readiness exits 2 naming the check and the resource; the plan before a flip blocks or warns", arguments: Self.breaks)
    func broken(_ what: Break) throws {
        let world = try World(failoverSeconds: 1, standby: what.standby)
        defer { world.close() }
        try breakStandby(world, what)

        let readiness = try world.switchyard("readiness")
        #expect(readiness.status == 2, "\(readiness.stdout)\n\(readiness.stderr)")
        let problem = readiness.stdout.split(separator: "\n").first { $0.contains("✗ [\(what.code)]") }
        #expect(problem?.contains(what.names) == true, "the problem names \(what.names): \(readiness.stdout)")
        #expect(readiness.stdout.contains("NOT READY") && readiness.stdout.contains("what to do:"), "\(readiness.stdout)")

        // The what-if plan says the same, as the plan of a flip commit would.
        let whatIf = try world.switchyard("plan", "--to", "us-west-1")
        if what.blocks {
            #expect(whatIf.status == 3 && whatIf.stdout.contains("BLOCKED  [\(what.code)]"), "\(whatIf.stdout)")
        } else {
            #expect(whatIf.status == 2 && whatIf.stdout.contains("WARNING  failover-criteria"), "\(whatIf.stdout)")
        }
        try world.flip(to: "us-west-1")
        let plan = try world.switchyard("plan")
        #expect(plan.stdout.contains(what.blocks ? "BLOCKED  [\(what.code)]" : "WARNING  failover-criteria"), "\(plan.stdout)")
        #expect(plan.status == (what.blocks ? 3 : 2))
    }

    @Test("compute and DNS kinds: ready when sound; a standby group that cannot hold the load, or an incomplete record pair, is named")
    func computeAndDNS() throws {
        let world = try World(failoverSeconds: 1, compute: true, standbyMax: 2, dns: .records)
        defer { world.close() }
        let readiness = try world.switchyard("readiness")
        #expect(readiness.status == 2, "\(readiness.stdout)\n\(readiness.stderr)")
        #expect(
            readiness.stdout.contains("✗ [capacity-exceeds-max]") && readiness.stdout.contains("hot-secondary-asg"),
            "the standby group's maximum is named: \(readiness.stdout)")

        // Raise the maximum: ready. Then delete one failover record: named.
        _ = try world.emulator.boto(
            "autoscaling", "us-west-1", "update_auto_scaling_group", ["AutoScalingGroupName": "hot-secondary-asg", "MaxSize": 8])
        let ready = try world.switchyard("readiness")
        #expect(ready.status == 0, "\(ready.stdout)\n\(ready.stderr)")
        let dns = try #require(world.apps[0]["dns"] as? [String: Any])
        let zone = try #require(dns["hosted_zone_id"] as? String)
        let listed = try world.emulator.boto(
            "route53", "us-east-1", "list_resource_record_sets",
            ["HostedZoneId": zone, "StartRecordName": dns["record_name"]!, "StartRecordType": "A"])
        let west = try #require((listed["ResourceRecordSets"] as? [[String: Any]])?.first { $0["SetIdentifier"] as? String == "unishop-us-west-1" })
        _ = try world.emulator.boto(
            "route53", "us-east-1", "change_resource_record_sets",
            ["HostedZoneId": zone, "ChangeBatch": ["Changes": [["Action": "DELETE", "ResourceRecordSet": west]]]])
        let broken = try world.switchyard("readiness")
        #expect(
            broken.status == 2 && broken.stdout.contains("✗ [failover-records-incomplete]") && broken.stdout.contains("unishop-us-west-1"),
            "\(broken.stdout)")
    }
}
