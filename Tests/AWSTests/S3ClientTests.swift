import AWS
import Foundation
import Testing

@Suite struct S3ClientTests {
    static let pabXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <BlockPublicAcls>true</BlockPublicAcls>
          <IgnorePublicAcls>false</IgnorePublicAcls>
          <BlockPublicPolicy>true</BlockPublicPolicy>
          <RestrictPublicBuckets>false</RestrictPublicBuckets>
        </PublicAccessBlockConfiguration>
        """

    @Test func getPublicAccessBlock() async throws {
        let sender = RecordingSender(.xml(Self.pabXML))
        let pab = try await S3Client(sender: sender).getPublicAccessBlock(bucket: "site-standby", region: "us-west-2")
        let op = try #require(await sender.single)
        #expect(op.service == .s3)
        #expect(op.name == "GetPublicAccessBlock")
        #expect(op.method == "GET")
        #expect(op.bucket == "site-standby")
        #expect(op.region == "us-west-2")
        #expect(op.path == "/")
        #expect(op.queryItems == ["publicAccessBlock="])
        #expect(op.headers.isEmpty && op.body.isEmpty)
        #expect(op.idempotent)
        #expect(pab == PublicAccessBlock(blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false))
    }

    @Test func missingPublicAccessBlockIsNil() async throws {
        let body =
            "<Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message><BucketName>b</BucketName><RequestId>R</RequestId></Error>"
        let sender = RecordingSender(.xml(body, status: 404))
        #expect(try await S3Client(sender: sender).getPublicAccessBlock(bucket: "b", region: "us-east-1") == nil)
    }

    @Test func otherErrorsPropagate() async {
        let body = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>"
        let sender = RecordingSender(.xml(body, status: 404))
        await #expect(throws: AWSError.self) { try await S3Client(sender: sender).getPublicAccessBlock(bucket: "b", region: "us-east-1") }
    }

    @Test func nonBooleanFlagIsMalformed() async {
        let sender = RecordingSender(.xml(Self.pabXML.replacingOccurrences(of: "<BlockPublicAcls>true", with: "<BlockPublicAcls>yes")))
        await #expect(throws: AWSError.self) { try await S3Client(sender: sender).getPublicAccessBlock(bucket: "b", region: "us-east-1") }
    }

    @Test func putPublicAccessBlockSendsTheDocumentWithContentMD5() async throws {
        let sender = RecordingSender(HTTPResponse(status: 200))
        try await S3Client(sender: sender).putPublicAccessBlock(.blockAll, bucket: "site-primary", region: "us-east-1")
        let op = try #require(await sender.single)
        #expect(op.method == "PUT")
        #expect(op.name == "PutPublicAccessBlock")
        #expect(op.bucket == "site-primary")
        #expect(op.path == "/")
        #expect(op.queryItems == ["publicAccessBlock="])
        #expect(
            op.bodyText == """
                <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls>\
                <IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>\
                <RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>
                """)
        // base64(MD5(body)), computed independently with Python's hashlib.
        #expect(op.headerLines == ["Content-MD5: Ia4HDf0jO6tNT32up/hopw=="])
    }

    @Test func deletePublicAccessBlock() async throws {
        let sender = RecordingSender(HTTPResponse(status: 204))
        try await S3Client(sender: sender).deletePublicAccessBlock(bucket: "b", region: "eu-west-1")
        let op = try #require(await sender.single)
        #expect(op.method == "DELETE" && op.path == "/" && op.queryItems == ["publicAccessBlock="] && op.bucket == "b")
        #expect(op.region == "eu-west-1")
    }

    @Test func headBucket() async throws {
        let exists = RecordingSender(HTTPResponse(status: 200, headers: [("x-amz-bucket-region", "us-west-2")]))
        #expect(try await S3Client(sender: exists).headBucket(bucket: "b", region: "us-west-2"))
        let op = try #require(await exists.single)
        #expect(op.method == "HEAD" && op.path == "/" && op.query.isEmpty && op.bucket == "b" && op.name == "HeadBucket")

        let missing = RecordingSender(HTTPResponse(status: 404, headers: [("x-amz-request-id", "R")]))
        #expect(try await S3Client(sender: missing).headBucket(bucket: "b", region: "us-west-2") == false)

        let forbidden = RecordingSender(HTTPResponse(status: 403))
        await #expect(throws: AWSError.self) { try await S3Client(sender: forbidden).headBucket(bucket: "b", region: "us-west-2") }
    }

    @Test func getBucketWebsite() async throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
              <ErrorDocument><Key>error.html</Key></ErrorDocument>
              <RoutingRules>
                <RoutingRule>
                  <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
                  <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>
                </RoutingRule>
                <RoutingRule>
                  <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
                  <Redirect><HostName>standby.example.com</HostName><HttpRedirectCode>302</HttpRedirectCode><Protocol>https</Protocol></Redirect>
                </RoutingRule>
              </RoutingRules>
            </WebsiteConfiguration>
            """
        let sender = RecordingSender(.xml(body))
        let website = try await S3Client(sender: sender).getBucketWebsite(bucket: "site", region: "us-east-1")
        let op = try #require(await sender.single)
        #expect(op.method == "GET" && op.path == "/" && op.queryItems == ["website="] && op.bucket == "site" && op.name == "GetBucketWebsite")
        #expect(
            website
                == BucketWebsite(
                    indexDocumentSuffix: "index.html", errorDocumentKey: "error.html",
                    routingRules: [
                        .init(keyPrefixEquals: "docs/", replaceKeyPrefixWith: "documents/"),
                        .init(
                            httpErrorCodeReturnedEquals: "404", redirectHostName: "standby.example.com", redirectHttpCode: "302",
                            redirectProtocol: "https"),
                    ]))
    }

    @Test func redirectAllRequests() async throws {
        let body =
            "<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>"
        let website = try await S3Client(sender: RecordingSender(.xml(body))).getBucketWebsite(bucket: "b", region: "us-east-1")
        #expect(website?.redirectAllRequestsTo == .init(hostName: "example.com", protocol: "https"))
        #expect(website?.indexDocumentSuffix == nil)
    }

    @Test func missingWebsiteIsNil() async throws {
        let body =
            "<Error><Code>NoSuchWebsiteConfiguration</Code><Message>The specified bucket does not have a website configuration</Message><BucketName>b</BucketName></Error>"
        #expect(try await S3Client(sender: RecordingSender(.xml(body, status: 404))).getBucketWebsite(bucket: "b", region: "us-east-1") == nil)
    }
}
