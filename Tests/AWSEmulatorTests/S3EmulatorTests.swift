import AWS
import Foundation
import SwitchyardTestSupport
import Testing

/// S3Client against the emulator; end states read back with boto3.
@Suite("S3 against the emulator", .sharedEmulator)
struct S3EmulatorTests {
    /// A new bucket in `region`, named after the test.
    func bucket(_ name: String, region: String = "us-west-1") throws -> String {
        let world = try EmulatorWorld.get()
        var arguments: [String: Any] = ["Bucket": name]
        if region != "us-east-1" { arguments["CreateBucketConfiguration"] = ["LocationConstraint": region] }
        let answer = try world.boto("s3", region, "create_bucket", arguments)
        #expect(EmulatorWorld.errorCode(answer) == nil, "\(answer)")
        return name
    }

    @Test("PutPublicAccessBlock sets all four flags, as boto3 reads them")
    func putPublicAccessBlock() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("pab-put-bucket")
        let flags = PublicAccessBlock(blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false)
        try await world.s3.putPublicAccessBlock(flags, bucket: bucket, region: "us-west-1")

        let answer = try world.boto("s3", "us-west-1", "get_public_access_block", ["Bucket": bucket])
        let configuration = try #require(answer["PublicAccessBlockConfiguration"] as? [String: Bool], "\(answer)")
        #expect(configuration == ["BlockPublicAcls": true, "IgnorePublicAcls": false, "BlockPublicPolicy": true, "RestrictPublicBuckets": false])
    }

    @Test("GetPublicAccessBlock reads what boto3 wrote")
    func getPublicAccessBlock() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("pab-get-bucket", region: "us-east-1")
        let answer = try world.boto(
            "s3", "us-east-1", "put_public_access_block",
            [
                "Bucket": bucket,
                "PublicAccessBlockConfiguration": [
                    "BlockPublicAcls": false, "IgnorePublicAcls": true, "BlockPublicPolicy": false, "RestrictPublicBuckets": true,
                ],
            ])
        #expect(EmulatorWorld.errorCode(answer) == nil, "\(answer)")

        let read = try await world.s3.getPublicAccessBlock(bucket: bucket, region: "us-east-1")
        #expect(read == PublicAccessBlock(blockPublicAcls: false, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: true))
    }

    @Test("GetPublicAccessBlock of a bucket without one (NoSuchPublicAccessBlockConfiguration) reads as nil")
    func getMissingPublicAccessBlock() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("pab-none-bucket")
        let answer = try world.boto("s3", "us-west-1", "get_public_access_block", ["Bucket": bucket])
        #expect(EmulatorWorld.errorCode(answer) == "NoSuchPublicAccessBlockConfiguration")

        #expect(try await world.s3.getPublicAccessBlock(bucket: bucket, region: "us-west-1") == nil)
    }

    @Test("DeletePublicAccessBlock removes it: boto3 then gets NoSuchPublicAccessBlockConfiguration")
    func deletePublicAccessBlock() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("pab-delete-bucket")
        try await world.s3.putPublicAccessBlock(.blockAll, bucket: bucket, region: "us-west-1")
        #expect(try await world.s3.getPublicAccessBlock(bucket: bucket, region: "us-west-1") == .blockAll)

        try await world.s3.deletePublicAccessBlock(bucket: bucket, region: "us-west-1")

        let answer = try world.boto("s3", "us-west-1", "get_public_access_block", ["Bucket": bucket])
        #expect(EmulatorWorld.errorCode(answer) == "NoSuchPublicAccessBlockConfiguration", "\(answer)")
        #expect(try await world.s3.getPublicAccessBlock(bucket: bucket, region: "us-west-1") == nil)
    }

    @Test("GetPublicAccessBlock of a missing bucket is NoSuchBucket with its request id, not nil")
    func publicAccessBlockOfMissingBucket() async throws {
        let world = try EmulatorWorld.get()
        let error = try await expectAWSError { _ = try await world.s3.getPublicAccessBlock(bucket: "no-such-bucket-here", region: "us-east-1") }
        #expect(error.kind == .service)
        #expect(error.code == "NoSuchBucket")
        #expect(error.httpStatus == 404)
        #expect(error.service == "s3")
        #expect(error.operation == "GetPublicAccessBlock")
    }

    @Test("HeadBucket: true for a bucket that exists, in its region")
    func headExistingBucket() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("head-existing-bucket")
        #expect(try await world.s3.headBucket(bucket: bucket, region: "us-west-1"))
    }

    @Test("HeadBucket and GetPublicAccessBlock of a dotted bucket name (path style)")
    func dottedBucket() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("www.unishop-dotted.example", region: "us-east-1")
        #expect(try await world.s3.headBucket(bucket: bucket, region: "us-east-1"))
        try await world.s3.putPublicAccessBlock(.blockAll, bucket: bucket, region: "us-east-1")
        let answer = try world.boto("s3", "us-east-1", "get_public_access_block", ["Bucket": bucket])
        #expect((answer["PublicAccessBlockConfiguration"] as? [String: Bool])?.values.allSatisfy { $0 } == true, "\(answer)")
    }

    @Test("HeadBucket: false for a bucket that does not exist (boto3 agrees: 404)")
    func headMissingBucket() async throws {
        let world = try EmulatorWorld.get()
        let answer = try world.boto("s3", "us-east-1", "head_bucket", ["Bucket": "head-missing-bucket"])
        #expect(answer["Status"] as? Int == 404, "\(answer)")
        #expect(try await world.s3.headBucket(bucket: "head-missing-bucket", region: "us-east-1") == false)
    }

    @Test("GetBucketWebsite reads the configuration boto3 wrote")
    func bucketWebsite() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("website-present-bucket")
        let answer = try world.boto(
            "s3", "us-west-1", "put_bucket_website",
            [
                "Bucket": bucket,
                "WebsiteConfiguration": [
                    "IndexDocument": ["Suffix": "index.html"], "ErrorDocument": ["Key": "error.html"],
                    "RoutingRules": [
                        [
                            "Condition": ["KeyPrefixEquals": "docs/"],
                            "Redirect": ["HostName": "docs.unishop.example", "Protocol": "https", "ReplaceKeyPrefixWith": "documents/"],
                        ]
                    ],
                ],
            ])
        #expect(EmulatorWorld.errorCode(answer) == nil, "\(answer)")

        let website = try #require(try await world.s3.getBucketWebsite(bucket: bucket, region: "us-west-1"))
        #expect(website.indexDocumentSuffix == "index.html")
        #expect(website.errorDocumentKey == "error.html")
        #expect(website.redirectAllRequestsTo == nil)
        #expect(
            website.routingRules == [
                BucketWebsite.RoutingRule(
                    keyPrefixEquals: "docs/", redirectHostName: "docs.unishop.example", redirectProtocol: "https",
                    replaceKeyPrefixWith: "documents/")
            ])
    }

    @Test("GetBucketWebsite of a bucket without a website configuration reads as nil")
    func bucketWithoutWebsite() async throws {
        let world = try EmulatorWorld.get()
        let bucket = try bucket("website-absent-bucket")
        let answer = try world.boto("s3", "us-west-1", "get_bucket_website", ["Bucket": bucket])
        #expect(EmulatorWorld.errorCode(answer) == "NoSuchWebsiteConfiguration", "\(answer)")
        #expect(try await world.s3.getBucketWebsite(bucket: bucket, region: "us-west-1") == nil)
    }
}
