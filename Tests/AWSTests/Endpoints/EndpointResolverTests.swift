@testable import AWS
import Foundation
import Testing

@Suite("Endpoint resolution")
struct EndpointResolverTests {
    func url(_ op: AWSOperation, _ env: [String: String] = [:]) throws -> String {
        try EndpointResolver(environment: env).resolve(op).url.absoluteString
    }

    @Test("real AWS endpoints per service")
    func defaults() throws {
        #expect(try url(AWSOperation(service: .rds, region: "eu-west-1", name: "X", idempotent: true)) == "https://rds.eu-west-1.amazonaws.com/")
        #expect(try url(AWSOperation(service: .sts, region: "us-west-2", name: "X", idempotent: true)) == "https://sts.us-west-2.amazonaws.com/")
        #expect(
            try url(AWSOperation(service: .cloudwatch, region: "us-east-2", name: "X", idempotent: true))
                == "https://monitoring.us-east-2.amazonaws.com/")
        let cf = AWSOperation(
            service: .cloudfront, region: "eu-central-1", name: "GetDistributionConfig", path: "/2020-05-31/distribution/E1/config", idempotent: true)
        let resolved = try EndpointResolver(environment: [:]).resolve(cf)
        #expect(resolved.url.absoluteString == "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/config")
        #expect(resolved.signingRegion == "us-east-1")
    }

    @Test("S3 is virtual-hosted on AWS, path-style for dotted buckets")
    func s3Addressing() throws {
        let op = AWSOperation(
            service: .s3, region: "eu-west-1", name: "GetPublicAccessBlock", query: [("publicAccessBlock", "")], bucket: "my-bucket", idempotent: true
        )
        #expect(try url(op) == "https://my-bucket.s3.eu-west-1.amazonaws.com/?publicAccessBlock=")
        var dotted = op
        dotted.bucket = "my.bucket"
        #expect(try url(dotted) == "https://s3.eu-west-1.amazonaws.com/my.bucket?publicAccessBlock=")
        var object = op
        object.path = "/a%20key"
        object.query = []
        #expect(try url(object) == "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20key")
    }

    @Test("service override beats the global one; S3 goes path-style on an override")
    func overrides() throws {
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/"]
        let s3 = AWSOperation(service: .s3, region: "eu-west-1", name: "GetObject", path: "/k", bucket: "b-1", idempotent: true)
        #expect(try url(s3, env) == "http://127.0.0.1:9000/b-1/k")
        let rds = AWSOperation(service: .rds, region: "eu-west-1", name: "X", idempotent: true)
        #expect(try url(rds, env) == "http://127.0.0.1:4566/")
        let cw = AWSOperation(service: .cloudwatch, region: "eu-west-1", name: "X", idempotent: true)
        #expect(try url(cw, ["AWS_ENDPOINT_URL_CLOUDWATCH": "http://localhost:1"]) == "http://localhost:1/")
    }

    @Test("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns overrides off")
    func ignoreOverrides() throws {
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]
        let rds = AWSOperation(service: .rds, region: "eu-west-1", name: "X", idempotent: true)
        #expect(try url(rds, env) == "https://rds.eu-west-1.amazonaws.com/")
    }

    @Test("a path that is not URI-encoded is an invalid request, not a crash")
    func unencodedPath() {
        let op = AWSOperation(service: .s3, region: "eu-west-1", name: "GetObject", path: "/a key", bucket: "bkt", idempotent: true)
        #expect(throws: AWSError.self) { try EndpointResolver(environment: [:]).resolve(op) }
        let bad = AWSOperation(service: .rds, region: "eu-west-1", name: "X", path: "/%zz", idempotent: true)
        let error = #expect(throws: AWSError.self) { try EndpointResolver(environment: [:]).resolve(bad) }
        #expect(error?.kind == .invalidRequest)
    }
}
