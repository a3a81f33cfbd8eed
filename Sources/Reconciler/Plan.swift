import Basics
import DesiredState

/// One change the reconciler would make, with why. Its kind declares its action, phase and what it does.
public struct Step: Sendable, Equatable, Codable {
    /// The step's name in its app's graph, stable across plans: `aurora`, `open:REGION`, `block:REGION`, `origins`.
    public var id: String
    /// The kind that plans and carries out the step (`ResourceKind.name`).
    public var kind: String
    public var action: StepAction
    /// When it runs in a failover: the engine draws `dependsOn` from phases.
    public var phase: Phase
    /// What the step changes: a cluster ARN, a bucket, a distribution id.
    public var resource: String
    /// The region whose control plane the step calls (us-east-1 for CloudFront).
    public var region: String
    public var reason: String
    /// What the kind needs beyond the resource (`promotion`, `originOrder`): fields of the step's JSON.
    public var attributes: [String: StepAttribute]
    /// The steps (by `id`) that must have finished before this one may run: traffic and fencing wait for the
    /// promotion and for the active region's bucket, so traffic and data never end up in different regions.
    public var dependsOn: [String]
    /// False for a step outside the failover (a hot standby's bucket, a drill on the active one): it depends on
    /// nothing and nothing waits for it.
    public var inFailover: Bool
    /// True for a step that stands for something unknown in its phase (a database whose writer cannot be read): the
    /// phase's other writer moves wait for it, so one database is not promoted while another's state is unknown.
    /// Not in JSON.
    public var holdsPhase = false

    public init(
        kind: String, id: String, action: StepAction, phase: Phase, resource: String, region: String, reason: String,
        attributes: [String: StepAttribute] = [:], inFailover: Bool = true, dependsOn: [String] = []
    ) {
        self.id = id
        self.kind = kind
        self.action = action
        self.phase = phase
        self.resource = resource
        self.region = region
        self.reason = reason
        self.attributes = attributes
        self.inFailover = inFailover
        self.dependsOn = dependsOn
    }

    /// What the action's kind says of it; an action no registered kind declares reads as its name.
    public var info: StepAction.Info {
        ResourceKinds.info(for: action)
            ?? StepAction.Info(action, label: action.rawValue, controlPlane: { $0.region }, summary: { "\($0.action) \($0.resource)" })
    }

    /// Whether the step calls a mutating AWS API.
    public var isMutating: Bool { info.isMutating }

    /// The control plane, as people say it: `rds us-west-1`, `cloudfront (us-east-1)`.
    public var controlPlane: String { info.controlPlane(self) }

    /// A one-line summary for people.
    public var summary: String { info.summary(self) }

    enum Keys: String, CaseIterable { case id, kind, action, phase, resource, region, reason, dependsOn }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        id = try container.decode(String.self, forKey: AnyKey("id"))
        kind = try container.decodeIfPresent(String.self, forKey: AnyKey("kind")) ?? ""
        action = try container.decode(StepAction.self, forKey: AnyKey("action"))
        phase = try container.decodeIfPresent(Phase.self, forKey: AnyKey("phase")) ?? .moveTraffic
        resource = try container.decode(String.self, forKey: AnyKey("resource"))
        region = try container.decode(String.self, forKey: AnyKey("region"))
        reason = try container.decode(String.self, forKey: AnyKey("reason"))
        dependsOn = try container.decodeIfPresent([String].self, forKey: AnyKey("dependsOn")) ?? []
        inFailover = true
        holdsPhase = false
        let known = Set(Keys.allCases.map(\.rawValue))
        var attributes: [String: StepAttribute] = [:]
        for key in container.allKeys where !known.contains(key.stringValue) {
            attributes[key.stringValue] = try container.decode(StepAttribute.self, forKey: key)
        }
        self.attributes = attributes
    }

    /// The kind's attributes are fields of the step's object, as they always were (`promotion`, `originOrder`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(id, forKey: AnyKey("id"))
        try container.encode(kind, forKey: AnyKey("kind"))
        try container.encode(action, forKey: AnyKey("action"))
        try container.encode(phase, forKey: AnyKey("phase"))
        try container.encode(resource, forKey: AnyKey("resource"))
        try container.encode(region, forKey: AnyKey("region"))
        try container.encode(reason, forKey: AnyKey("reason"))
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: AnyKey(key)) }
        try container.encode(dependsOn, forKey: AnyKey("dependsOn"))
    }
}

/// A value a kind keeps on a step or in the live summary: a string, a list, or a map of strings.
public enum StepAttribute: Sendable, Equatable, Codable {
    case string(String)
    case list([String])
    case map([String: String])

    public var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    public var list: [String]? {
        if case let .list(value) = self { return value }
        return nil
    }

    public var map: [String: String]? {
        if case let .map(value) = self { return value }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String].self) {
            self = .list(value)
        } else {
            self = .map(try container.decode([String: String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .string(value): try container.encode(value)
        case let .list(value): try container.encode(value)
        case let .map(value): try container.encode(value)
        }
    }
}

/// One safety check of a plan (preflight, replication lag, dwell): what it read, and whether it passed.
public struct Check: Sendable, Equatable, Codable {
    /// `target-bucket`, `origin-group`, `target-cluster`, `replicas-connected`, `replication-lag`, `dwell`.
    public var name: Code
    public var passed: Bool
    /// The reading: what was found, against what limit.
    public var detail: String
    /// Whether the check reads the target region's readiness (docs/SAFETY.md, "Preflight").
    public var preflight: Bool
    /// A failure that makes the failover slower, not impossible: `plan` warns instead of blocking; `readiness` still
    /// reports the standby not ready.
    public var advisory: Bool
    /// What to do when it fails.
    public var remedy: String?

    public init(_ name: Code, passed: Bool, _ detail: String, preflight: Bool = false, advisory: Bool = false, remedy: String? = nil) {
        self.name = name
        self.passed = passed
        self.detail = detail
        self.preflight = preflight
        self.advisory = advisory
        self.remedy = remedy
    }

    enum CodingKeys: String, CodingKey { case name, passed, detail, advisory, remedy }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(Code.self, forKey: .name)
        passed = try container.decode(Bool.self, forKey: .passed)
        detail = try container.decode(String.self, forKey: .detail)
        advisory = try container.decodeIfPresent(Bool.self, forKey: .advisory) ?? false
        remedy = try container.decodeIfPresent(String.self, forKey: .remedy)
        preflight = false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(passed, forKey: .passed)
        try container.encode(detail, forKey: .detail)
        if advisory { try container.encode(true, forKey: .advisory) }
        try container.encodeIfPresent(remedy, forKey: .remedy)
    }

    /// The check as one sentence: its name, its reading and, when it failed, what to do.
    public var sentence: String { "\(name): \(detail)\(!passed ? remedy.map { "; \($0)" } ?? "" : "")" }

    /// The stable code of the blocker a failed check makes: `preflight:NAME` for readiness, else the name.
    public var code: Code { preflight ? name.prefixed("preflight:") : name }

    /// A check of an observed value: failed with the reason when it could not be read.
    public static func of<T>(
        _ name: Code, _ observed: Observed<T>, preflight: Bool = false, advisory: Bool = false, remedy: String? = nil,
        _ judge: (T) -> (Bool, String)
    ) -> Check {
        switch observed {
        case let .value(value):
            let (passed, detail) = judge(value)
            return Check(name, passed: passed, detail, preflight: preflight, advisory: advisory, remedy: passed ? nil : remedy)
        case let .unavailable(why), let .missing(why):
            return Check(name, passed: false, why, preflight: preflight, advisory: advisory)
        }
    }
}

/// The live state of an application in a few words: each kind's facts (where it writes, serves first, which buckets
/// are open), plus the roles the engine reads to tell a person's failover (`Divergence`).
public struct LiveSummary: Sendable, Equatable, Codable {
    /// The region whose database writes (a detached standalone cluster counts).
    public var writerRegion: String?
    /// Each kind's facts by name (`originOrder`, `distributionStatus`, `buckets`): fields of the summary's JSON.
    public var facts: [String: StepAttribute] = [:]
    /// The region traffic goes to first (the origin group's primary), when a traffic kind knows it. Not in JSON.
    public var trafficRegion: String?
    /// Whether each region serves (`open`, `blocked`, `partial`, or `unknown` when unread), for kinds that fence.
    /// Not in JSON.
    public var serving: [String: String] = [:]
    /// Each database's writer region, by what people call the database (`Aurora`, `DocumentDB`). Not in JSON.
    public var writers: [String: String] = [:]

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Step.AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == "writerRegion" {
                writerRegion = try container.decodeIfPresent(String.self, forKey: key)
            } else if let value = try? container.decode(StepAttribute.self, forKey: key) {
                facts[key.stringValue] = value
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Step.AnyKey.self)
        try container.encodeIfPresent(writerRegion, forKey: Step.AnyKey("writerRegion"))
        for (key, value) in facts.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: Step.AnyKey(key)) }
    }

    /// The facts as people read them, in the registry's order.
    public var lines: [LiveLine] { ResourceKinds.describe(self) }
}

/// Why nothing will be done for a part of an application.
public struct Blocker: Sendable, Equatable, Codable {
    /// A stable machine code (docs/OUTPUT.md): `preflight:target-cluster`, `replication-lag`, `dwell`, `not-a-member`, …
    public var code: Code
    public var reason: String
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// Blocker codes set above the planner (the pass): the other codes are the planner's and the safety checks'.
public enum BlockerCode {
    /// The writer or traffic was moved outside Git and no commit asked for it: held, never reverted by the loop.
    public static let diverged: Code = "diverged"
    /// The Aurora writer is a member of the global cluster that the file does not declare: never moved from here.
    public static let undeclaredWriter: Code = "undeclared-writer"
    /// A declared resource does not exist (AWS answered 404 / not found): the file names the wrong thing.
    public static let resourceMissing: Code = "resource-missing"
    /// Suspended by `switchyard suspend` or `spec.suspend: true`.
    public static let suspended: Code = "suspended"
    /// The commit fence records a commit another host began that is not an ancestor of this host's.
    public static let stale: Code = "stale"
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
    /// The region the failover leaves: the active region of the commit last applied, when it differs from this one
    /// (a kind lowers only it, and only in `release`). Not in JSON.
    public var leaving: String?
    /// The live facts the journal last kept for the app (`LiveSummary.facts` of an earlier pass). Not in JSON.
    public var remembered: [String: StepAttribute] = [:]

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

    enum CodingKeys: String, CodingKey { case app, activeRegion, steps, blockers, unobserved, inProgress, warnings, checks, live }

    /// Nothing to do, nothing unknown, nothing in progress.
    public var inSync: Bool { steps.isEmpty && blockers.isEmpty && unobserved.isEmpty && inProgress.isEmpty }
}
