import Foundation
import SwitchyardTestSupport
import Testing

/// Live AWS state read as AWS means it: the built CLI against the emulator, end states read with boto3.
@Suite("Live state read as AWS means it", .serialized)
struct LiveStateMeaningTests {
    typealias World = FailoverTests.World

    /// The four Block Public Access flags of a bucket as boto3 reads them (all false when it has no configuration).
    static func flags(_ world: World, bucket: String, region: String) throws -> [String: Bool] {
        let script = """
            import json, sys, boto3
            from botocore.config import Config
            from botocore.exceptions import ClientError
            s3 = boto3.client("s3", region_name=sys.argv[3], endpoint_url=sys.argv[1], aws_access_key_id="testing",
                              aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
            try:
                print(json.dumps(s3.get_public_access_block(Bucket=sys.argv[2])["PublicAccessBlockConfiguration"]))
            except ClientError as e:
                if e.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration": raise
                print(json.dumps({}))
            """
        let output = try Emulator.python(["-c", script, world.emulator.endpoint, bucket, region])
        let read = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Bool] ?? [:]
        return Dictionary(
            uniqueKeysWithValues: ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
                .map { ($0, read[$0] ?? false) })
    }

    /// Gives the bucket a public-read bucket policy (how a website bucket serves) and the given flags, with boto3.
    static func setUp(_ world: World, bucket: String, region: String, flags: [String: Bool]) throws {
        let script = """
            import json, sys, boto3
            from botocore.config import Config
            s3 = boto3.client("s3", region_name=sys.argv[3], endpoint_url=sys.argv[1], aws_access_key_id="testing",
                              aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
            bucket = sys.argv[2]
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=json.loads(sys.argv[4]))
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: flags), as: UTF8.self)
        _ = try Emulator.python(["-c", script, world.emulator.endpoint, bucket, region, json])
    }

    static let aclOnly = ["BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": false, "RestrictPublicBuckets": false]
    static let all = ["BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true]

    func commit(_ world: World, _ text: String, as name: String, message: String) throws {
        try world.fixture.write(text, to: "\(world.repo)/desired-state/\(name).yaml")
        try world.fixture.git("add", "-A", in: world.repo)
        try world.fixture.git("commit", "-q", "-m", message, in: world.repo)
    }

    @Test("ACL flags alone leave a policy-served bucket open; opening clears only the policy flags; fencing sets all four")
    func blockPublicAccessFlags() throws {
        let world = try World(parts: "web")
        defer { world.close() }
        let app = world.apps[0]
        let name = app["name"] as! String
        let buckets = app["buckets"] as! [String: [String: String]]
        let primary = (buckets["primary"]!["name"]!, "us-east-1"), secondary = (buckets["secondary"]!["name"]!, "us-west-1")
        try Self.setUp(world, bucket: primary.0, region: primary.1, flags: Self.aclOnly)
        try Self.setUp(world, bucket: secondary.0, region: secondary.1, flags: Self.aclOnly)

        // Both buckets serve through their policy: in sync, nothing to do, and apply changes nothing.
        var plan = try world.switchyard("plan")
        #expect(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        #expect(!plan.stdout.contains("partial"))
        #expect(try world.switchyard("apply").status == 0)
        #expect(try Self.flags(world, bucket: primary.0, region: primary.1) == Self.aclOnly)
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == Self.aclOnly)

        // Fencing the standby sets all four flags.
        try commit(world, World.yaml(app, active: "us-east-1", standby: "fenced", promotion: "switchover"), as: name, message: "Fence the standby")
        var apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == Self.all)
        #expect(try Self.flags(world, bucket: primary.0, region: primary.1) == Self.aclOnly)

        // Failing over opens the fenced bucket by clearing only the policy flags, and fences the old primary.
        try world.flip(to: "us-west-1")
        apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == Self.aclOnly, "the ACL protection stays")
        #expect(try Self.flags(world, bucket: primary.0, region: primary.1) == Self.all)

        // One policy flag alone is drift, named for what it is, and opening clears it without touching the ACL flags.
        var restricted = Self.aclOnly
        restricted["RestrictPublicBuckets"] = true
        try Self.setUp(world, bucket: secondary.0, region: secondary.1, flags: restricted)
        plan = try world.switchyard("plan")
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("partly blocked (only one of BlockPublicPolicy and RestrictPublicBuckets is set)"), "\(plan.stdout)")
        #expect(try world.switchyard("apply").status == 0)
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == Self.aclOnly)
    }

    /// The bucket's tags, with boto3.
    static func tags(_ world: World, bucket: String, region: String) throws -> [String: String] {
        let script = """
            import json, sys, boto3
            from botocore.config import Config
            from botocore.exceptions import ClientError
            s3 = boto3.client("s3", region_name=sys.argv[3], endpoint_url=sys.argv[1], aws_access_key_id="testing",
                              aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
            try:
                print(json.dumps({t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=sys.argv[2])["TagSet"]}))
            except ClientError:
                print("{}")
            """
        let output = try Emulator.python(["-c", script, world.emulator.endpoint, bucket, region])
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String] ?? [:]
    }

    @Test("a fence is undone exactly: after fence and reopen each bucket's four flags are its owner's, and its other tags stay")
    func fenceUndoneExactly() throws {
        let world = try World(parts: "web")
        defer { world.close() }
        let app = world.apps[0]
        let name = app["name"] as! String
        let buckets = app["buckets"] as! [String: [String: String]]
        let primary = (buckets["primary"]!["name"]!, "us-east-1"), secondary = (buckets["secondary"]!["name"]!, "us-west-1")
        let primaryOwner = ["BlockPublicAcls": false, "IgnorePublicAcls": true, "BlockPublicPolicy": false, "RestrictPublicBuckets": false]
        let secondaryOwner = ["BlockPublicAcls": true, "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": false]
        try Self.setUp(world, bucket: primary.0, region: primary.1, flags: primaryOwner)
        try Self.setUp(world, bucket: secondary.0, region: secondary.1, flags: secondaryOwner)
        _ = try Emulator.python([
            "-c",
            """
            import sys, boto3
            from botocore.config import Config
            s3 = boto3.client("s3", region_name="us-west-1", endpoint_url=sys.argv[1], aws_access_key_id="testing",
                              aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
            s3.put_bucket_tagging(Bucket=sys.argv[2], Tagging={"TagSet": [{"Key": "team", "Value": "web"}]})
            """,
            world.emulator.endpoint, secondary.0,
        ])

        try commit(world, World.yaml(app, active: "us-east-1", standby: "fenced", promotion: "switchover"), as: name, message: "Fence the standby")
        #expect(try world.switchyard("apply").status == 0)
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == Self.all)
        #expect(try Self.tags(world, bucket: secondary.0, region: secondary.1) == ["team": "web", "switchyard:fenced-from": "1000"])

        try world.flip(to: "us-west-1")
        var apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == secondaryOwner, "the owner's flags, exactly")
        #expect(try Self.tags(world, bucket: secondary.0, region: secondary.1) == ["team": "web"])
        #expect(try Self.flags(world, bucket: primary.0, region: primary.1) == Self.all)

        try world.flip(to: "us-east-1")
        apply = try world.switchyard("apply")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(try Self.flags(world, bucket: primary.0, region: primary.1) == primaryOwner, "the old primary gets its own flags back")
        #expect(try Self.tags(world, bucket: primary.0, region: primary.1).isEmpty)
        #expect(try Self.flags(world, bucket: secondary.0, region: secondary.1) == Self.all)
    }

    @Test("an Aurora ARN with upper-case letters is refused by validate, iam-policy and apply, and nothing is promoted")
    func upperCaseClusterARN() throws {
        let world = try World(parts: "aurora")
        defer { world.close() }
        let app = world.apps[0]
        let name = app["name"] as! String
        let secondary = world.cluster("secondary")
        let shouting = secondary.replacingOccurrences(of: ":cluster:hot-", with: ":cluster:Hot-")
        #expect(shouting != secondary)
        let text = World.yaml(app, active: "us-west-1", standby: "hot", promotion: "switchover").replacingOccurrences(of: secondary, with: shouting)
        try commit(world, text, as: name, message: "Fail over, ARN pasted in mixed case")

        for command in ["validate", "iam-policy", "apply"] {
            let result = try world.switchyard(command)
            #expect(result.status == 1, "\(command): \(result.stdout)\n\(result.stderr)")
            #expect(
                result.stderr.contains("auroraCluster: found cluster identifier `Hot-secondary`; expected `hot-secondary`"),
                "\(command): \(result.stderr)")
            #expect(result.stderr.contains("RDS stores DB cluster identifiers in lower case"))
            #expect(!result.stdout.contains("Hot-"), "iam-policy prints no policy with the mixed-case ARN")
        }
        #expect(try world.live().writer == world.cluster("primary"), "nothing was promoted")
        #expect(try world.emulator.callCounts(mutatingOnly: true).isEmpty)
    }

    @Test("two files naming the same resources are refused naming both, and apply changes nothing")
    func sharedResources() throws {
        let world = try World(parts: "all")
        defer { world.close() }
        let app = world.apps[0]
        let name = app["name"] as! String
        let copy = World.yaml(app, active: "us-west-1", standby: "hot", promotion: "switchover")
            .replacingOccurrences(of: "name: \(name)", with: "name: \(name)-copy")
        try commit(world, copy, as: "copy", message: "A second file for the same app")

        let validate = try world.switchyard("validate")
        #expect(validate.status == 1)
        for field in [
            "spec.regions.us-east-1.bucket", "spec.regions.us-west-1.bucket", "spec.cloudfront.originGroupId",
            "spec.aurora.globalClusterId", "spec.regions.us-west-1.auroraCluster",
        ] {
            #expect(validate.stderr.contains(field), "\(field): \(validate.stderr)")
        }
        #expect(validate.stderr.contains("desired-state/\(name).yaml:"), "\(validate.stderr)")
        #expect(validate.stderr.contains("already declared by \(name)-copy at desired-state/copy.yaml:"), "\(validate.stderr)")
        for _ in 0..<3 {
            let apply = try world.switchyard("apply")
            #expect(apply.status == 1)
        }
        #expect(try world.live().writer == world.cluster("primary"), "nothing was promoted")
        #expect(try world.emulator.callCounts(mutatingOnly: true).isEmpty)
    }
}
