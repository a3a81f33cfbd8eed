import AWS
import FuzzSupport

/// Any bytes as the 200 answer of each S3 read: a value or an `AWSError`, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let s3 = S3Client(sender: FixedResponseSender(body: fuzzBytes(data, size)))
    runBlocking {
        _ = try? await s3.getPublicAccessBlock(bucket: "bucket", region: "us-west-1")
        _ = try? await s3.getBucketWebsite(bucket: "bucket", region: "us-west-1")
    }
    return 0
}
