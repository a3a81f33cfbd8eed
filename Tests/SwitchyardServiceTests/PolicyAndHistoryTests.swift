@testable import Journaling
import DesiredState
import Foundation
import GitSource
@testable import Presentation
@testable import Reconciler
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
        #expect(
            byID["SwitchyardAurora"]?.resource == [
                "arn:aws:rds::111122223333:global-cluster:hot-global",
                "arn:aws:rds:us-east-1:111122223333:cluster:hot-primary",
                "arn:aws:rds:us-west-1:111122223333:cluster:hot-secondary",
            ])
        #expect(byID["SwitchyardAurora"]?.action.contains("rds:DescribeDBClusters") == true)
        #expect(byID["SwitchyardReplicationLag"]?.resource == ["*"])
        #expect(policy.statement.allSatisfy { !$0.action.contains { $0.hasSuffix("*") } })
    }

    @Test("--read-only keeps the reads plan and status make, and no action that changes AWS")
    func readOnlyPolicy() throws {
        let state = try DesiredStateSet.load([.init(path: "desired-state/unishop.yaml", content: unishopYAML)])
        let full = try IAMPolicy.forApplications(state, lockTable: "locks")
        let policy = try IAMPolicy.forApplications(state, lockTable: "locks", readOnly: true)
        let actions = Set(policy.statement.flatMap(\.action))
        let mutating: Set<String> = [
            "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:GetBucketTagging", "cloudfront:UpdateDistribution",
            "rds:FailoverGlobalCluster", "rds:RemoveFromGlobalCluster", "rds:SwitchoverGlobalCluster", "dynamodb:DeleteItem", "dynamodb:PutItem",
        ]
        #expect(actions == Set(full.statement.flatMap(\.action)).subtracting(mutating))
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

    /// The desired-state file of the `index`th Unishop-like application, with its own buckets, distribution, global
    /// cluster and clusters.
    static func app(_ index: Int) -> String {
        unishopYAML.replacingOccurrences(of: "unishop", with: "app\(index)")
            .replacingOccurrences(of: "hot-", with: "a\(index)-").replacingOccurrences(of: "E1EXAMPLE", with: "E\(index)EXAMPLE")
    }

    static func apps(_ count: Int) throws -> DesiredStateSet {
        try DesiredStateSet.load((1...count).map { .init(path: "desired-state/app\($0).yaml", content: app($0)) })
    }

    /// Every (action, resource) pair a policy grants.
    static func pairs(_ policies: [IAMPolicy]) -> [String] {
        policies.flatMap { $0.statement.flatMap { statement in statement.action.flatMap { a in statement.resource.map { "\(a) \($0)" } } } }
    }

    @Test("a policy over IAM's 6,144 characters is split into documents within it, granting exactly the same", arguments: [false, true])
    func split(readOnly: Bool) throws {
        let policy = try IAMPolicy.forApplications(try Self.apps(500), lockTable: "locks", readOnly: readOnly)
        #expect(policy.length > IAMPolicy.managedPolicyLimit)
        let documents = try policy.split()
        #expect(documents.count > 1)
        for document in documents {
            // Counted as IAM counts: the printed (pretty) JSON without whitespace.
            let printed = String(decoding: try JSONEncoder.switchyard().encode(document), as: UTF8.self)
            #expect(printed.filter { !$0.isWhitespace }.count <= IAMPolicy.managedPolicyLimit)
            #expect(document.length <= IAMPolicy.managedPolicyLimit)
            #expect(Set(document.statement.map(\.sid)).count == document.statement.count, "a Sid once per document")
        }
        let whole = Self.pairs([policy]), parts = Self.pairs(documents)
        #expect(parts.count == whole.count, "each pair in exactly one document")
        #expect(Set(parts) == Set(whole))
        #expect(documents.dropLast().allSatisfy { $0.length > IAMPolicy.managedPolicyLimit - 400 }, "each document filled before the next")
        #expect(try IAMPolicy.forApplications(try Self.apps(3)).split().count == 1, "a policy that fits stays one document")
    }

    @Test("iam-policy prints named documents and says so on stderr when one is too small")
    func splitCommand() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let dir = try fixture.makeRepository()
        try FileManager.default.removeItem(atPath: dir + "/desired-state/unishop.yaml")
        for index in 1...40 { try fixture.write(Self.app(index), to: dir + "/desired-state/app\(index).yaml") }
        try fixture.git("add", "-A", in: dir)
        try fixture.git("commit", "-q", "-m", "40 apps", in: dir)
        let names = try IAMPolicy.forApplications(try Self.apps(40)).split().indices.map { "switchyard-\($0 + 1)" }
        #expect(names.count > 1)
        let result = try CLI.run(["iam-policy"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("printed as \(names.count) documents (switchyard-1, "), "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let policies = try #require(json["Policies"] as? [[String: Any]])
        #expect(policies.map { $0["PolicyName"] as? String } == names)
        #expect(policies.allSatisfy { ($0["PolicyDocument"] as? [String: Any])?["Version"] as? String == "2012-10-17" })
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
