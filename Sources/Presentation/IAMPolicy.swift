import DesiredState
import Foundation
import Reconciler

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
        // Statements of one sid across apps merge, in the registry's order; each resource is listed once.
        var statements: [Statement] = []
        var rank: [String: Int] = [:]
        var mutating: Set<String> = ["dynamodb:DeleteItem", "dynamodb:PutItem"]
        for app in state.applications {
            let own = ResourceKinds.registered.lazy.compactMap { $0.account(of: app) }.first
            let context = AccountContext(partition: own?.partition ?? "aws", account: account ?? own?.account)
            for (index, kind) in ResourceKinds.registered.enumerated() {
                let grants: [IAMGrant]
                do { grants = try kind.grants(app, account: context) } catch {
                    throw IAMPolicyError(app: app.name, path: app.source.path, needs: error.needs)
                }
                for (offset, grant) in grants.enumerated() {
                    mutating.formUnion(grant.mutating)
                    rank[grant.sid] = min(rank[grant.sid] ?? .max, index * 100 + offset)
                    if let index = statements.firstIndex(where: { $0.sid == grant.sid }) {
                        statements[index].resource += grant.resources
                    } else {
                        statements.append(Statement(sid: grant.sid, action: grant.actions, resource: grant.resources))
                    }
                }
            }
        }
        statements = statements.sorted { rank[$0.sid, default: 0] < rank[$1.sid, default: 0] }
            .map { Statement(sid: $0.sid, action: $0.action, resource: Array(Set($0.resource)).sorted()) }
        if let lockTable {
            let accounts = Set(
                state.applications.compactMap { app in ResourceKinds.registered.lazy.compactMap { $0.account(of: app)?.account }.first })
            let tableAccount = account ?? (accounts.count == 1 ? accounts.first! : "*")
            // A table named by ARN keeps its partition, account and name; every region's replica is granted.
            let parts = lockTable.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            let resource =
                parts.count == 6 && parts[0] == "arn" && parts[5].hasPrefix("table/")
                ? "arn:\(parts[1]):dynamodb:*:\(parts[4]):\(parts[5])" : "arn:aws:dynamodb:*:\(tableAccount):table/\(lockTable)"
            statements.append(
                Statement(
                    sid: "SwitchyardLockTable", action: ["dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                    resource: [resource]))
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

    /// IAM's limit on one customer managed policy: characters of its JSON, whitespace not counted.
    public static let managedPolicyLimit = 6_144

    /// The policy's length as IAM counts it against `managedPolicyLimit`.
    public var length: Int { Self.length(of: self) }

    /// The characters of a value's JSON, whitespace not counted (ARNs hold none, so compact JSON is that count).
    static func length(of value: some Encodable) -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "").unicodeScalars.count
    }

    /// The policy as documents of at most `limit` characters each: itself when it fits, else its statements'
    /// resources dealt out in order, each document filled before the next is started. The union of the documents
    /// grants exactly the action and resource pairs of the policy.
    /// - Throws: `IAMPolicySplitError` when a statement with one resource alone is over the limit.
    public func split(limit: Int = managedPolicyLimit) throws(IAMPolicySplitError) -> [IAMPolicy] {
        guard length > limit else { return [self] }
        let empty = IAMPolicy(statement: [])
        var documents: [IAMPolicy] = []
        var current = empty
        var used = empty.length
        for statement in statement {
            var opening = statement
            opening.resource = []
            let bare = Self.length(of: opening)
            var next = 0
            while next < statement.resource.count {
                let resource = statement.resource[next]
                let continuing = current.statement.last?.sid == statement.sid
                // A resource costs its quoted text and a comma; the first also its statement, and a comma before it.
                let cost = Self.length(of: [resource]) - 2 + (continuing ? 1 : bare + (current.statement.isEmpty ? 0 : 1))
                if used + cost > limit {
                    guard !current.statement.isEmpty else { throw IAMPolicySplitError(sid: statement.sid, resource: resource, limit: limit) }
                    documents.append(current)
                    (current, used) = (empty, empty.length)
                    continue
                }
                if continuing {
                    current.statement[current.statement.count - 1].resource.append(resource)
                } else {
                    current.statement.append(Statement(sid: statement.sid, action: statement.action, resource: [resource]))
                }
                used += cost
                next += 1
            }
        }
        if !current.statement.isEmpty { documents.append(current) }
        return documents
    }
}

/// An ARN needs the AWS account id and no file gives it.
public struct IAMPolicyError: Error, Sendable, CustomStringConvertible {
    public var app: String
    public var path: String
    public var needs: String

    public var description: String {
        "\(path): \(app) declares no ARN to take the account id from, and the \(needs) needs one; give the account id"
    }
}

/// A statement that no managed policy can hold, even with one resource.
public struct IAMPolicySplitError: Error, Sendable, CustomStringConvertible {
    public var sid: String
    public var resource: String
    public var limit: Int

    public var description: String {
        "statement \(sid) with the one resource \(resource) is over IAM's \(limit) characters for a managed policy"
    }
}

/// Policies too large for one managed policy, as several named ones (`switchyard iam-policy`, docs/OUTPUT.md).
public struct IAMPolicySet: Encodable, Sendable, Equatable {
    /// A document with the name to create it under.
    public struct Named: Encodable, Sendable, Equatable {
        public var name: String
        public var document: IAMPolicy

        enum CodingKeys: String, CodingKey {
            case name = "PolicyName", document = "PolicyDocument"
        }
    }

    public var policies: [Named]

    enum CodingKeys: String, CodingKey {
        case policies = "Policies"
    }

    /// Names the documents `prefix-1`, `prefix-2`, ….
    public init(_ documents: [IAMPolicy], prefix: String = "switchyard") {
        policies = documents.enumerated().map { Named(name: "\(prefix)-\($0.offset + 1)", document: $0.element) }
    }
}
