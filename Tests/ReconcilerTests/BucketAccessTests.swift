import AWS
import Reconciler
import Testing

/// Only the flags that stop a policy-served website decide whether a bucket is open.
@Suite("Block Public Access read for website serving")
struct BucketAccessTests {
    static func block(_ acls: Bool, _ ignore: Bool, _ policy: Bool, _ restrict: Bool) -> PublicAccessBlock {
        PublicAccessBlock(blockPublicAcls: acls, ignorePublicAcls: ignore, blockPublicPolicy: policy, restrictPublicBuckets: restrict)
    }

    @Test(
        "the policy flags decide; the ACL flags do not",
        arguments: [
            (nil, BucketAccess.open),
            (block(false, false, false, false), .open),
            (block(true, true, false, false), .open),
            (block(true, false, false, false), .open),
            (block(true, true, true, true), .blocked),
            (block(false, false, true, true), .blocked),
            (block(true, true, true, false), .partial),
            (block(false, false, false, true), .partial),
        ] as [(PublicAccessBlock?, BucketAccess)])
    func reading(_ configuration: PublicAccessBlock?, _ expected: BucketAccess) {
        #expect(BucketAccess(configuration) == expected)
    }
}
