import DesiredState
import Foundation
import GitSource
@testable import SwitchyardCore
@testable import SwitchyardService
import SwitchyardTestSupport
import Testing

@Suite("iam-policy, as a pure function")
struct PolicyAndHistoryTests {
    @Test("the policy names exactly the declared resources, with the account from the cluster ARNs")
    func policy() throws {
        let state = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: unishopYAML)])
        let policy = try IAMPolicy.forApplications(state)
        let byID = Dictionary(uniqueKeysWithValues: policy.statement.map { ($0.sid, $0) })
        #expect(byID["SwitchyardBuckets"]?.resource == ["arn:aws:s3:::hot-primary-uibucket-example", "arn:aws:s3:::hot-secondary-uibucket-example"])
        #expect(byID["SwitchyardBuckets"]?.action.contains("s3:PutBucketPublicAccessBlock") == true)
        #expect(byID["SwitchyardOriginGroups"]?.resource == ["arn:aws:cloudfront::111122223333:distribution/E1EXAMPLE"])
        #expect(byID["SwitchyardAuroraGlobal"]?.resource.first == "arn:aws:rds::111122223333:global-cluster:hot-global")
        #expect(
            byID["SwitchyardAuroraClusters"]?.resource == [
                "arn:aws:rds:us-east-1:111122223333:cluster:hot-primary",
                "arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary",
            ])
        #expect(byID["SwitchyardReplicationLag"]?.resource == ["*"])
        #expect(policy.statement.allSatisfy { !$0.action.contains { $0.hasSuffix("*") } })
    }

    @Test("--read-only keeps the reads plan and status make, and no action that changes AWS")
    func readOnlyPolicy() throws {
        let state = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: unishopYAML)])
        let full = try IAMPolicy.forApplications(state, lockTable: "locks")
        let policy = try IAMPolicy.forApplications(state, lockTable: "locks", readOnly: true)
        let actions = Set(policy.statement.flatMap(\.action))
        #expect(actions == Set(full.statement.flatMap(\.action)).subtracting(IAMPolicy.mutating))
        #expect(
            actions.isDisjoint(with: [
                "s3:PutBucketPublicAccessBlock", "cloudfront:UpdateDistribution", "rds:SwitchoverGlobalCluster",
                "rds:FailoverGlobalCluster", "rds:RemoveFromGlobalCluster", "dynamodb:PutItem", "dynamodb:DeleteItem",
            ]))
        #expect(
            actions.isSuperset(of: [
                "s3:GetBucketPublicAccessBlock", "cloudfront:GetDistributionConfig", "rds:DescribeGlobalClusters",
                "rds:DescribeDBClusters", "cloudwatch:GetMetricStatistics", "dynamodb:GetItem",
            ]))
    }

    @Test("web-only apps need --account for the distribution ARN")
    func policyNeedsAccount() throws {
        let web = unishopYAML.components(separatedBy: "\n").filter {
            !$0.contains("auroraCluster") && !$0.contains("aurora:") && !$0.contains("globalClusterId") && !$0.contains("promotion:")
        }
        .joined(separator: "\n")
        let state = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: web)])
        #expect(throws: IAMPolicyError.self) { _ = try IAMPolicy.forApplications(state) }
        let policy = try IAMPolicy.forApplications(state, account: "444455556666")
        #expect(
            policy.statement.first { $0.sid == "SwitchyardOriginGroups" }?.resource == ["arn:aws:cloudfront::444455556666:distribution/E1EXAMPLE"])
    }
}
