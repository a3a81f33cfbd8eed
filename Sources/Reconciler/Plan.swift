import DesiredState

/// One change the reconciler would make, with why.
public struct Step: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable {
        /// Promote the active region's Aurora cluster (switchover, failover or detach).
        case promoteAurora
        /// A promotion toward the active region is already under way: wait for it, issue nothing.
        case awaitPromotion
        /// Remove the public access block from a bucket so it serves.
        case openBucket
        /// Put a full public access block on a bucket.
        case blockBucket
        /// Put the active region's origin first in the CloudFront origin group.
        case reorderOriginGroup
    }

    /// The step's name in its app's graph, stable across plans: `aurora`, `open:REGION`, `block:REGION`, `origins`.
    public var id: String
    public var action: Action
    /// What the step changes: a cluster ARN, a bucket, a distribution id.
    public var resource: String
    /// The region whose control plane the step calls (us-east-1 for CloudFront).
    public var region: String
    public var reason: String
    /// Promotion mode, for Aurora steps.
    public var promotion: PromotionMode?
    /// The origin order after the step, for reorder steps.
    public var originOrder: [String]?
    /// The steps (by `id`) that must have finished before this one may run: traffic and fencing wait for the
    /// promotion and for the active region's bucket, so traffic and data never end up in different regions.
    public var dependsOn: [String]

    public init(
        action: Action, resource: String, region: String, reason: String, promotion: PromotionMode? = nil,
        originOrder: [String]? = nil, dependsOn: [String] = []
    ) {
        self.id = Self.id(action, region: region)
        self.action = action
        self.resource = resource
        self.region = region
        self.reason = reason
        self.promotion = promotion
        self.originOrder = originOrder
        self.dependsOn = dependsOn
    }

    /// The graph name of a step of `action` in `region`.
    public static func id(_ action: Action, region: String) -> String {
        switch action {
        case .promoteAurora, .awaitPromotion: "aurora"
        case .openBucket: "open:\(region)"
        case .blockBucket: "block:\(region)"
        case .reorderOriginGroup: "origins"
        }
    }

    /// Whether the step calls a mutating AWS API.
    public var isMutating: Bool { action != .awaitPromotion }

    /// The control plane, as people say it: `rds us-west-1`, `cloudfront (us-east-1)`.
    public var controlPlane: String {
        switch action {
        case .promoteAurora, .awaitPromotion: "rds \(region)"
        case .openBucket, .blockBucket: "s3 \(region)"
        case .reorderOriginGroup: "cloudfront (us-east-1)"
        }
    }

    /// A one-line summary for people.
    public var summary: String {
        switch action {
        case .promoteAurora: "promote \(resource) by \(promotion?.rawValue ?? "switchover")"
        case .awaitPromotion:
            promotion == nil ? "wait until the writer is seen in \(resource)" : "wait for the promotion of \(resource) under way"
        case .openBucket: "open bucket \(resource)"
        case .blockBucket: "block public access to bucket \(resource)"
        case .reorderOriginGroup: "put \(originOrder?.first ?? "?") first in the origin group of \(resource)"
        }
    }
}

/// One safety check of a plan (preflight, replication lag, dwell): what it read, and whether it passed.
public struct Check: Sendable, Equatable, Codable {
    /// `target-bucket`, `origin-group`, `target-cluster`, `replicas-connected`, `replication-lag`, `dwell`.
    public var name: String
    public var passed: Bool
    /// The reading: what was found, against what limit.
    public var detail: String

    public init(_ name: String, passed: Bool, _ detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }

    /// The checks that read the target region's readiness (docs/SAFETY.md, "Preflight").
    public static let preflight: Set<String> = ["target-bucket", "origin-group", "target-cluster", "replicas-connected"]

    /// The stable code of the blocker a failed check makes: `preflight:NAME` for readiness, else the name.
    public var code: String { Self.preflight.contains(name) ? "preflight:\(name)" : name }
}

/// The live state of an application in a few words: where it writes, serves first, and which buckets are open.
public struct LiveSummary: Sendable, Equatable, Codable {
    /// The region whose Aurora cluster writes (a detached standalone cluster counts).
    public var writerRegion: String?
    /// The origin group's members, primary first.
    public var originOrder: [String]?
    /// `InProgress` or `Deployed`.
    public var distributionStatus: String?
    /// Each region's bucket: `open`, `blocked` or `partial`.
    public var buckets: [String: String] = [:]

    public init() {}
}

/// Why nothing will be done for a part of an application.
public struct Blocker: Sendable, Equatable, Codable {
    /// A stable machine code (docs/OUTPUT.md): `preflight:target-cluster`, `replication-lag`, `dwell`, `not-a-member`, …
    public var code: String
    public var reason: String
    public init(_ code: String, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// Blocker codes set above the planner (the pass): the other codes are the planner's and the safety checks'.
public enum BlockerCode {
    /// The writer or traffic was moved outside Git and no commit asked for it: held, never reverted by the loop.
    public static let diverged = "diverged"
    /// The Aurora writer is a member of the global cluster that the file does not declare: never moved from here.
    public static let undeclaredWriter = "undeclared-writer"
    /// A declared resource does not exist (AWS answered 404 / not found): the file names the wrong thing.
    public static let resourceMissing = "resource-missing"
    /// Suspended by `switchyard suspend` or `spec.suspend: true`.
    public static let suspended = "suspended"
    /// The commit fence records a commit another host began that is not an ancestor of this host's.
    public static let stale = "stale"
}

/// The plan for one application: ordered steps, blockers, what could not be observed.
public struct AppPlan: Sendable, Codable {
    public var app: String
    public var activeRegion: String
    public var steps: [Step]
    /// Reasons the app will not be acted on (nothing is done while any exists).
    public var blockers: [Blocker]
    /// Parts that could not be observed; their steps are unknown until they can be.
    public var unobserved: [String]
    /// Asynchronous work AWS is still doing (a CloudFront deployment, a promotion).
    public var inProgress: [String]
    /// Warnings a reviewer must see (data loss with `promotion: failover`).
    public var warnings: [String]
    /// The safety checks and their readings; a failed one blocks the app when it has changes to make.
    public var checks: [Check] = []
    /// What was observed, in short: what `status` shows as the live state.
    public var live = LiveSummary()

    public init(
        app: String, activeRegion: String, steps: [Step] = [], blockers: [Blocker] = [],
        unobserved: [String] = [], inProgress: [String] = [], warnings: [String] = []
    ) {
        self.app = app
        self.activeRegion = activeRegion
        self.steps = steps
        self.blockers = blockers
        self.unobserved = unobserved
        self.inProgress = inProgress
        self.warnings = warnings
    }

    /// Nothing to do, nothing unknown, nothing in progress.
    public var inSync: Bool { steps.isEmpty && blockers.isEmpty && unobserved.isEmpty && inProgress.isEmpty }
}
