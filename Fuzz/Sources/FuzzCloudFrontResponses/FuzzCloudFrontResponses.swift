import AWS
import FuzzSupport

/// Any bytes as the 200 answer of each CloudFront call: a value or an `AWSError`, never a crash.
/// A config that reads is also reordered, which must keep every other byte of the tree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let cloudfront = CloudFrontClient(sender: FixedResponseSender(body: fuzzBytes(data, size)))
    runBlocking {
        _ = try? await cloudfront.getDistribution(id: "E1EXAMPLE")
        if let snapshot = try? await cloudfront.getDistributionConfig(id: "E1EXAMPLE"),
            let groups = try? OriginGroups.read(from: snapshot.config)
        {
            for group in groups {
                for member in group.memberOriginIDs {
                    guard let reordered = try? OriginGroups.reordering(group: group.id, primary: member, in: snapshot.config),
                        let reread = try? OriginGroups.read(from: reordered),
                        reread.first(where: { $0.id == group.id })?.primaryOriginID == member
                    else { fatalError("reordering \(group.id) to \(member) did not put it first") }
                }
            }
        }
        _ = try? await cloudfront.updateDistribution(id: "E1EXAMPLE", config: XMLElement(name: "DistributionConfig"), ifMatch: "E1")
    }
    return 0
}
