import AWS
import FuzzSupport

/// Any bytes as the body of an error answer, for each protocol family: the decoder is total.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = fuzzBytes(data, size)
    let operations = [
        AWSOperation(service: .s3, region: "us-west-1", name: "GetPublicAccessBlock", path: "/bucket", idempotent: true),
        AWSOperation(service: .rds, region: "us-east-1", name: "DescribeGlobalClusters", method: "POST", path: "/", idempotent: true),
        AWSOperation(service: .cloudfront, region: "us-east-1", name: "GetDistribution", path: "/2020-05-31/distribution/E1", idempotent: true),
    ]
    for operation in operations {
        for status in [400, 404, 503] {
            let error = AWSErrorDecoder.decode(operation: operation, response: HTTPResponse(status: status, body: body))
            _ = error.description
        }
    }
    return 0
}
