import AWS
import Testing

@Suite struct ErrorDecoderTests {
    static let s3Get = AWSOperation(service: .s3, region: "us-west-2", name: "GetPublicAccessBlock", bucket: "b", idempotent: true)
    static let s3Head = AWSOperation(service: .s3, region: "us-west-2", name: "HeadBucket", method: "HEAD", bucket: "b", idempotent: true)
    static let cloudFront = AWSOperation(service: .cloudfront, region: "us-east-1", name: "UpdateDistribution", method: "PUT", idempotent: false)
    static let rds = AWSOperation(service: .rds, region: "us-west-2", name: "DescribeGlobalClusters", method: "POST", idempotent: true)

    @Test func s3ErrorDocument() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message><BucketName>b</BucketName><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc=</HostId></Error>
            """
        let error = AWSErrorDecoder.decode(operation: Self.s3Get, response: .xml(body, status: 404, headers: [("x-amz-request-id", "HEADERID")]))
        #expect(
            error
                == AWSError(
                    kind: .service, service: "s3", operation: "GetPublicAccessBlock", code: "NoSuchPublicAccessBlockConfiguration",
                    message: "The public access block configuration was not found", requestID: "4442587FB7D0A2F9", httpStatus: 404))
    }

    @Test func cloudFrontErrorResponse() {
        let body = """
            <?xml version="1.0"?>
            <ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
              <Error><Type>Sender</Type><Code>PreconditionFailed</Code><Message>The request failed because it didn't meet the preconditions in one or more request-header fields.</Message></Error>
              <RequestId>b6f1cb4e-5a8e-11e3-bd8b-1d6a8e6a1a45</RequestId>
            </ErrorResponse>
            """
        let error = AWSErrorDecoder.decode(operation: Self.cloudFront, response: .xml(body, status: 412))
        #expect(error.kind == .service)
        #expect(error.service == "cloudfront")
        #expect(error.code == "PreconditionFailed")
        #expect(error.message.hasPrefix("The request failed"))
        #expect(error.requestID == "b6f1cb4e-5a8e-11e3-bd8b-1d6a8e6a1a45")
        #expect(error.httpStatus == 412)
    }

    @Test func queryErrorResponse() {
        let error = AWSErrorDecoder.decode(operation: Self.rds, response: .xml(XMLFixtures.errorResponse, status: 404))
        #expect(error.code == "GlobalClusterNotFoundFault")
        #expect(error.message == "Global cluster app-global not found.")
        #expect(error.requestID == "8c3e3b56-0000-4d5e-9f4a-3f4d1d0c9e11")
    }

    @Test func legacyResponseShape() {
        let body =
            "<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></Errors><RequestID>r-1</RequestID></Response>"
        let error = AWSErrorDecoder.decode(operation: Self.rds, response: .xml(body, status: 400))
        #expect(error.code == "Throttling")
        #expect(error.requestID == "r-1")
    }

    @Test func closureFormMatches() {
        let response = HTTPResponse.xml(XMLFixtures.errorResponse, status: 404)
        #expect(AWSErrorDecoder.errorDecoder(Self.rds, response) == AWSErrorDecoder.decode(operation: Self.rds, response: response))
    }

    @Test func requestIDFallsBackToHeaders() {
        let body = "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"
        let error = AWSErrorDecoder.decode(operation: Self.rds, response: .xml(body, status: 400, headers: [("x-amzn-RequestId", "hdr-1")]))
        #expect(error.requestID == "hdr-1")
        #expect(error.message == "Rate exceeded")
    }

    @Test(arguments: [(404, "NoSuchBucket"), (403, "AccessDenied"), (301, "PermanentRedirect"), (500, "InternalError")])
    func emptyHeadBucketBodyYieldsCodeFromStatus(status: Int, code: String) {
        let error = AWSErrorDecoder.decode(
            operation: Self.s3Head,
            response: HTTPResponse(status: status, headers: [("x-amz-request-id", "R1"), ("x-amz-bucket-region", "eu-west-1")]))
        #expect(error.kind == .service)
        #expect(error.code == code)
        #expect(error.requestID == "R1")
        #expect(error.httpStatus == status)
        #expect(error.message.contains("eu-west-1"))
    }

    @Test func emptyBodyOnOtherOperationsUsesGenericCode() {
        let error = AWSErrorDecoder.decode(operation: Self.s3Get, response: HTTPResponse(status: 404, body: Array(" \n".utf8)))
        #expect(error.code == "NotFound")
    }

    @Test(arguments: [
        "<Error><Code>Trunc",
        "<html><body>Internal Server Error</body></html>",
        "Internal Server Error",
        "<Error><Message>no code</Message></Error>",
        "<ErrorResponse><Error><Code>  </Code></Error></ErrorResponse>",
        "{\"__type\":\"Throttling\"}",
    ])
    func garbageYieldsMalformedResponseWithStatus(body: String) {
        let error = AWSErrorDecoder.decode(operation: Self.rds, response: .xml(body, status: 500, headers: [("x-amzn-RequestId", "r")]))
        #expect(error.kind == .malformedResponse)
        #expect(error.httpStatus == 500)
        #expect(error.service == "rds")
        #expect(error.operation == "DescribeGlobalClusters")
        #expect(error.requestID == "r")
    }
}

@Suite struct QueryProtocolTests {
    @Test func serializesLikeBotocore() {
        var p = QueryParameters(action: "GetMetricStatistics", version: "2010-08-01")
        p.add("Namespace", "AWS/RDS")
        p.addList("Dimensions", structures: [[("Name", "DBClusterIdentifier"), ("Value", "app west")]])
        p.addList("Statistics", ["Maximum"])
        p.addList("Empty", [])
        p.add("Flag", false)
        p.add("Period", 60)
        let op = QueryProtocol.operation(p, service: .cloudwatch, region: "us-west-2", idempotent: true)
        #expect(op.method == "POST")
        #expect(op.path == "/")
        #expect(op.name == "GetMetricStatistics")
        #expect(op.headerLines == ["Content-Type: application/x-www-form-urlencoded; charset=utf-8"])
        #expect(
            op.bodyText == "Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FRDS"
                + "&Dimensions.member.1.Name=DBClusterIdentifier&Dimensions.member.1.Value=app%20west"
                + "&Statistics.member.1=Maximum&Empty=&Flag=false&Period=60")
    }

    @Test func percentEncodesAllButUnreserved() {
        #expect(QueryParameters.percentEncode("aZ09-_.~ :/+=&é") == "aZ09-_.~%20%3A%2F%2B%3D%26%C3%A9")
    }
}
