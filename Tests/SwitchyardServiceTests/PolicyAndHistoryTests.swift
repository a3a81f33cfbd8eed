import DesiredState
import Foundation
import GitSource
@testable import SwitchyardService
import Testing

@Suite("iam-policy, as a pure function")
struct PolicyAndHistoryTests {
    static let app = """
        apiVersion: switchyard/v1
        kind: Application
        metadata:
          name: unishop
        spec:
          activeRegion: us-east-1
          regions:
            us-east-1:
              bucket: hot-primary-uibucket-example
              originId: hot-primary-origin
              auroraCluster: arn:aws:rds:us-east-1:111122223333:cluster:hot-primary
            us-west-1:
              bucket: hot-secondary-uibucket-example
              originId: hot-secondary-origin
              auroraCluster: arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary
          cloudfront:
            distributionId: E1EXAMPLE
            originGroupId: hot-standby-origin-group
          aurora:
            globalClusterId: hot-global

        """

    @Test("the policy names exactly the declared resources, with the account from the cluster ARNs")
    func policy() throws {
        let state = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: Self.app)])
        let policy = try IAMPolicy.forApplications(state)
        let byID = Dictionary(uniqueKeysWithValues: policy.statement.map { ($0.sid, $0) })
        #expect(byID["SwitchyardBuckets"]?.resource == ["arn:aws:s3:::hot-primary-uibucket-example", "arn:aws:s3:::hot-secondary-uibucket-example"])
        #expect(byID["SwitchyardBuckets"]?.action.contains("s3:PutBucketPublicAccessBlock") == true)
        #expect(byID["SwitchyardOriginGroups"]?.resource == ["arn:aws:cloudfront::111122223333:distribution/E1EXAMPLE"])
        #expect(byID["SwitchyardAuroraGlobal"]?.resource.first == "arn:aws:rds::111122223333:global-cluster:hot-global")
        #expect(byID["SwitchyardAuroraClusters"]?.resource == ["arn:aws:rds:us-east-1:111122223333:cluster:hot-primary",
                                                               "arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary"])
        #expect(byID["SwitchyardReplicationLag"]?.resource == ["*"])
        #expect(policy.statement.allSatisfy { !$0.action.contains { $0.hasSuffix("*") } })
    }

    @Test("web-only apps need --account for the distribution ARN")
    func policyNeedsAccount() throws {
        let web = Self.app.components(separatedBy: "\n").filter { !$0.contains("auroraCluster") && !$0.contains("aurora:") && !$0.contains("globalClusterId") }
            .joined(separator: "\n")
        let state = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: web)])
        #expect(throws: IAMPolicyError.self) { _ = try IAMPolicy.forApplications(state) }
        let policy = try IAMPolicy.forApplications(state, account: "444455556666")
        #expect(policy.statement.first { $0.sid == "SwitchyardOriginGroups" }?.resource == ["arn:aws:cloudfront::444455556666:distribution/E1EXAMPLE"])
    }
}
