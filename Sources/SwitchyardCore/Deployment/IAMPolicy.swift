import DesiredState

/// The least-privilege IAM policy for a desired state: only the actions Switchyard calls, on only the declared resources.
public struct IAMPolicy: Encodable, Sendable, Equatable {
    /// One `Allow` statement.
    public struct Statement: Encodable, Sendable, Equatable {
        public var sid: String
        public var effect = "Allow"
        public var action: [String]
        public var resource: [String]

        enum CodingKeys: String, CodingKey {
            case sid = "Sid", effect = "Effect", action = "Action", resource = "Resource"
        }
    }

    public var version = "2012-10-17"
    public var statement: [Statement]

    enum CodingKeys: String, CodingKey {
        case version = "Version", statement = "Statement"
    }

    /// Builds the policy for every app in `state`.
    /// - Parameter account: the AWS account id for CloudFront and global-cluster ARNs; taken from the Aurora
    ///   cluster ARNs when nil.
    /// - Throws: `IAMPolicyError` when an ARN needs an account that nothing gives.
    /// - Parameter lockTable: the lock table's name, when hosts coordinate through one: its item calls in every region
    ///   (a global table has a replica per region).
    /// - Parameter readOnly: only what `validate`, `plan` and `status` call (a pull-request check): no mutating action.
    public static func forApplications(
        _ state: DesiredStateSet, account: String? = nil, lockTable: String? = nil,
        readOnly: Bool = false
    ) throws(IAMPolicyError) -> IAMPolicy {
        var buckets: [String] = []
        var distributions: [String] = []
        var globalClusters: [String] = []
        var clusters: [String] = []
        for app in state.applications {
            let spec = app.spec
            let arns = spec.regions.compactMap(\.auroraCluster)
            let partition = arns.first?.partition ?? "aws"
            let appAccount = account ?? arns.first?.account
            for region in spec.regions {
                if let bucket = region.bucket { buckets.append("arn:\(partition):s3:::\(bucket)") }
            }
            if let cloudfront = spec.cloudfront {
                guard let appAccount else { throw IAMPolicyError(app: app.name, path: app.source.path, needs: "CloudFront distribution ARN") }
                distributions.append("arn:\(partition):cloudfront::\(appAccount):distribution/\(cloudfront.distributionID)")
            }
            if let aurora = spec.aurora {
                guard let appAccount else { throw IAMPolicyError(app: app.name, path: app.source.path, needs: "global-cluster ARN") }
                globalClusters.append("arn:\(partition):rds::\(appAccount):global-cluster:\(aurora.globalClusterID)")
                clusters += arns.map(\.description)
            }
        }
        func sorted(_ items: [String]) -> [String] { Array(Set(items)).sorted() }
        var statements: [Statement] = []
        if !buckets.isEmpty {
            statements.append(
                Statement(
                    sid: "SwitchyardBuckets",
                    action: [
                        "s3:GetBucketPublicAccessBlock", "s3:GetBucketWebsite", "s3:ListBucket", "s3:PutBucketPublicAccessBlock",
                    ], resource: sorted(buckets)))
        }
        if !distributions.isEmpty {
            statements.append(
                Statement(
                    sid: "SwitchyardOriginGroups",
                    action: [
                        "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution",
                    ], resource: sorted(distributions)))
        }
        if !globalClusters.isEmpty {
            // Every promotion mode is allowed whatever the files say today: an emergency commit may switch
            // `promotion` to failover, and the policy must not be what stops it.
            statements.append(
                Statement(
                    sid: "SwitchyardAuroraGlobal",
                    action: [
                        "rds:DescribeGlobalClusters", "rds:FailoverGlobalCluster", "rds:RemoveFromGlobalCluster", "rds:SwitchoverGlobalCluster",
                    ], resource: sorted(globalClusters) + sorted(clusters)))
            statements.append(Statement(sid: "SwitchyardAuroraClusters", action: ["rds:DescribeDBClusters"], resource: sorted(clusters)))
            // GetMetricStatistics has no resource-level permissions: `*` is the only resource it accepts.
            statements.append(Statement(sid: "SwitchyardReplicationLag", action: ["cloudwatch:GetMetricStatistics"], resource: ["*"]))
        }
        if let lockTable {
            let accounts = Set(state.applications.flatMap { $0.spec.regions.compactMap(\.auroraCluster?.account) })
            let tableAccount = account ?? (accounts.count == 1 ? accounts.first! : "*")
            statements.append(
                Statement(
                    sid: "SwitchyardLockTable", action: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                    resource: ["arn:aws:dynamodb:*:\(tableAccount):table/\(lockTable)"]))
        }
        if readOnly {
            statements = statements.compactMap { statement in
                var statement = statement
                statement.action.removeAll { mutating.contains($0) }
                return statement.action.isEmpty ? nil : statement
            }
        }
        return IAMPolicy(statement: statements)
    }

    /// The actions that change AWS: left out of the read-only policy.
    static let mutating: Set<String> = [
        "s3:PutBucketPublicAccessBlock", "cloudfront:UpdateDistribution", "rds:FailoverGlobalCluster", "rds:RemoveFromGlobalCluster",
        "rds:SwitchoverGlobalCluster", "dynamodb:DeleteItem", "dynamodb:PutItem",
    ]
}

/// An ARN needs the AWS account id and no file gives it.
public struct IAMPolicyError: Error, Sendable, CustomStringConvertible {
    public var app: String
    public var path: String
    public var needs: String

    public var description: String {
        "\(path): \(app) declares no Aurora cluster ARN to take the account id from, and the \(needs) needs one; pass --account 123456789012"
    }
}
