import AWS
import FuzzSupport

/// Any bytes as the 200 answer of each RDS call Switchyard makes: a value or an `AWSError`, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let rds = RDSClient(sender: FixedResponseSender(body: fuzzBytes(data, size)))
    let arn = "arn:aws:rds:us-west-1:123456789012:cluster:hot-secondary"
    runBlocking {
        _ = try? await rds.describeGlobalClusters(id: "hot-global", region: "us-east-1")
        _ = try? await rds.describeDBClusters(id: arn, region: "us-west-1")
        _ = try? await rds.switchoverGlobalCluster(globalClusterId: "hot-global", targetArn: arn, region: "us-west-1")
        _ = try? await rds.failoverGlobalCluster(globalClusterId: "hot-global", targetArn: arn, allowDataLoss: true, region: "us-west-1")
        _ = try? await rds.removeFromGlobalCluster(globalClusterId: "hot-global", dbClusterArn: arn, region: "us-west-1")
    }
    return 0
}
